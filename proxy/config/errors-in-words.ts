import type * as z from 'zod'

/**
 * Config problems in words a shop owner understands, instead of zod's "Invalid input". It works
 * by issue kind, not by schema, so keys added to schema.ts get sensible messages without a change
 * here; messages a schema spells out itself (refinements, regex messages) win over these.
 *
 * `configErrorMap` is passed to safeParse (it sees each issue with its input and full path);
 * `inWords` then unwraps unions whose member got further than its type, so the message points at
 * the key inside that member.
 */

type Issue = z.core.$ZodRawIssue
type Final = z.core.$ZodIssue

/** What to put in a key that is missing, by key name; the fallback is just "is missing". */
const MISSING_HINT: Record<string, string> = {
  forms: 'list the forms, as in { "forms": [ { "id": "welcome", … } ] }',
  id: 'give the form an id such as "welcome": the script tag on the shop\'s pages names it',
  allowedOrigins: 'list the shop addresses that may show the form, such as ["https://shop.example.com"]',
  campaignId: "give the id of the Infobip flow (campaign) to start: the number in the flow's address in Infobip",
  api: 'say how the flow is started: "moments" (Infobip Moments) or "legacy" (the older flow API)',
  type: 'say what kind of field it is, such as "email" or "checkbox"',
  value: 'give the value',
  label: 'give the text shown to the person',
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a text in double quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list in square brackets [ … ]',
  object: 'an object in braces { … }',
  record: 'an object in braces { … }',
  null: 'null',
}

/** The zod error map for config files: one sentence per issue, in the operator's terms. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  const key = issue.path?.at(-1)
  const missing = issue.input === undefined && issue.code !== 'custom' && issue.code !== 'unrecognized_keys'
  if (missing) {
    return missingInWords(issue, typeof key === 'string' ? key : undefined)
  }
  return kindInWords(issue)
}

function missingInWords(issue: Issue, key: string | undefined): string {
  const hint = key === undefined ? undefined : MISSING_HINT[key]
  const allowed = allowedValues(issue)
  if (hint) {
    return `is missing: ${hint}`
  }
  return allowed ? `is missing: it must be ${oneOf(allowed)}` : 'is missing'
}

function kindInWords(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected} (found ${found(issue.input)})`
    case 'invalid_value':
      return `must be ${oneOf(issue.values)} (found ${found(issue.input)})${didYouMean(issue.input, issue.values)}`
    case 'invalid_union':
      return unionInWords(issue)
    case 'too_big':
    case 'too_small':
      return sizeInWords(issue)
    case 'invalid_format':
      return `${formatInWords(issue)} (found ${found(issue.input)})`
    case 'unrecognized_keys':
      return unknownKeys(issue.keys, shapeKeys(issue.inst))
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)} (found ${found(issue.input)})`
    case 'invalid_key':
      return 'has a key that is not allowed here'
    case 'invalid_element':
      return 'has an entry that is not allowed here'
    case 'custom':
      return 'is not valid here'
  }
}

function unionInWords(issue: Issue & { code: 'invalid_union' }): string {
  const discriminator = (issue as { discriminator?: string }).discriminator
  const options = allowedValues(issue)
  if (discriminator !== undefined && options) {
    // The input is the object; what the operator wrote is its discriminator key, where the path points.
    const value = (issue.input as Record<string, unknown> | null | undefined)?.[discriminator]
    return value === undefined
      ? missingInWords(issue, discriminator)
      : `must be ${oneOf(options)} (found ${found(value)})${didYouMean(value, options)}`
  }
  const expected = issue.errors.flatMap((branch) =>
    branch.map((i) => (i.code === 'invalid_type' && i.path.length === 0 ? TYPE_WORDS[i.expected] : undefined)),
  )
  const words = [...new Set(expected.filter((w): w is string => w !== undefined))]
  return words.length > 0 ? `must be ${words.join(' or ')} (found ${found(issue.input)})` : 'is not valid here'
}

function sizeInWords(issue: Issue & { code: 'too_big' | 'too_small' }): string {
  const big = issue.code === 'too_big'
  const limit = Number(big ? issue.maximum : issue.minimum)
  const inclusive = issue.inclusive !== false
  const input = issue.input
  switch (issue.origin) {
    case 'string': {
      if (!big && limit <= 1) {
        return 'must not be empty'
      }
      const length = typeof input === 'string' ? ` (found ${input.length})` : ''
      return `must be ${big ? 'at most' : 'at least'} ${limit} characters long${length}`
    }
    case 'array':
    case 'set': {
      const count = Array.isArray(input) ? ` (found ${input.length})` : ''
      return big
        ? `may list at most ${plural(limit, 'entry', 'entries')}${count}`
        : `must list at least ${plural(limit, 'entry', 'entries')}${count}`
    }
    default: {
      const bound = big ? (inclusive ? 'at most' : 'below') : inclusive ? 'at least' : 'above'
      return `must be ${bound} ${limit} (found ${found(input)})`
    }
  }
}

function formatInWords(issue: Issue & { code: 'invalid_format' }): string {
  switch (issue.format) {
    case 'regex':
      return `must match the pattern ${String((issue as { pattern?: string }).pattern ?? '')}`.trim()
    case 'email':
      return 'must be an email address'
    case 'url':
      return 'must be a web address such as "https://shop.example.com"'
    case 'starts_with':
    case 'ends_with':
    case 'includes':
      return `must be a text that ${issue.format.replace('_', ' ')} what is required here`
    default:
      return `must be a valid ${issue.format}`
  }
}

function unknownKeys(keys: readonly string[], known: readonly string[]): string {
  const parts = keys.map((key) => `"${key}"${didYouMean(key, known)}`)
  const list = known.length > 0 ? `; the keys allowed here are ${known.join(', ')}` : ''
  if (keys.length === 1 && didYouMean(keys[0], known)) {
    return `unknown key ${parts[0]}`
  }
  return `unknown ${keys.length === 1 ? 'key' : 'keys'} ${parts.join(', ')}${list}`
}

/** The keys a strict object schema knows, for "did you mean". */
function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape
  return shape ? Object.keys(shape) : []
}

/** Allowed values of an enum, literal or discriminated union, when zod says them. */
function allowedValues(issue: Issue): readonly unknown[] | undefined {
  const values =
    (issue as { values?: unknown[]; options?: unknown[] }).values ?? (issue as { options?: unknown[] }).options
  return Array.isArray(values) && values.length > 0 ? values : undefined
}

function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((v) => JSON.stringify(v))
  if (quoted.length === 1) {
    return quoted[0] ?? ''
  }
  const last = quoted.at(-1)
  return quoted.length === 2 ? `${quoted[0]} or ${last}` : `one of ${quoted.join(', ')}`
}

/** How a found value reads in a message: short, and never more than a line. */
export function found(input: unknown): string {
  if (Array.isArray(input)) {
    return `a list of ${plural(input.length, 'entry', 'entries')}`
  }
  if (input !== null && typeof input === 'object') {
    return 'an object'
  }
  const text = typeof input === 'string' ? JSON.stringify(input) : String(input)
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? `one ${one}` : `${n} ${many}`
}

/** `: did you mean "email"?` when one allowed value is a likely typo of the input, else ''. */
export function didYouMean(input: unknown, allowed: readonly unknown[]): string {
  if (typeof input !== 'string') {
    return ''
  }
  const candidates = allowed.filter((a): a is string => typeof a === 'string')
  let best: { value: string; distance: number } | undefined
  for (const value of candidates) {
    const distance = editDistance(input.toLowerCase(), value.toLowerCase())
    // Two edits (a swapped pair of letters) for words of four letters and more, one for shorter ones.
    const tolerance = value.length < 4 ? 1 : Math.max(2, Math.floor(value.length / 3))
    if (distance <= tolerance && (!best || distance < best.distance)) {
      best = { value, distance }
    }
  }
  return best && best.value !== input ? `: did you mean "${best.value}"?` : ''
}

/**
 * Levenshtein distance of two short strings (keys, enum values). Written here rather than taken
 * from a package: a dozen lines for a "did you mean" hint on operator input of a few characters.
 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/**
 * The issues to show: a union whose member got past its type check (a `{ "label": … }` option
 * without its value) is replaced by that member's own issues, at their full path.
 */
export function inWords(issues: readonly Final[]): Final[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      return [issue]
    }
    const deeper = issue.errors.find((branch) =>
      branch.some((i) => !(i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_union'))),
    )
    return deeper ? inWords(deeper.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))) : [issue]
  })
}
