import type { FieldMessages, FieldValue, PublicField } from './definition'
import { isContentField } from './definition'
import { normalisePhone } from './identity'

/**
 * The validation rules, shared by the widget (before it submits) and the proxy (which never trusts
 * the browser), worded by error-text.ts. Pure and free of anything outside contract/, so that it
 * costs the bundle a few hundred bytes.
 */

/** `characters`: a control or format character (NUL, BEL, U+202E, a lone surrogate, …) in a text. */
export type Rule = keyof FieldMessages | 'characters'

/**
 * How the value of a `pattern` is tested. The widget uses the browser's RegExp (a slow pattern only
 * costs the shopper's own tab); the proxy injects a linear-time engine (proxy/signup/patterns.ts),
 * so that no backtracking engine ever runs a public pattern on the server.
 */
export type PatternTest = (pattern: string, value: string) => boolean

// The strictest of the upstreams: Infobip's own EMAIL pattern (an ASCII dot-atom local part, ASCII
// domain labels that neither start nor end with '-'), a TLD of 2+ starting with a letter; and RFC
// 5321's 64 for the local part, 254 in all (checked first: the browser's RegExp backtracks).
const EMAIL =
  /^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*@(?:[a-z\d](?:[a-z\d-]*[a-z\d])?\.)+[a-z][a-z\d-]*[a-z\d]$/i
const TEL = /^\+?[\d\s().-]{6,24}$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/
const NUMBER = /^-?\d+(?:\.\d+)?$/

/**
 * The bound of a text without a `maxLength` of its own: under Infobip People's 4096 characters per
 * custom attribute value (IamPersonV2.customAttributes, reference/infobip-openapi). Person
 * attributes with a stricter limit get it in their definition (proxy/forms/upstream-limits.ts).
 */
export const MAX_TEXT_LENGTH = 4000

// Cc (NUL, BEL, …), Cf (U+202E, …) and lone surrogates (Cs), refused in every text: upstreams
// refuse or mangle them and they disguise what a value says. ZWNJ and ZWJ are Cf but spell Persian
// and Indic names and emoji; a textarea keeps its line breaks and tabs.
const CONTROL = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Cs}]/u

function isRealDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
}

// Whitespace alone does not fill a required field: "   " is as empty as "".
function isEmpty(value: FieldValue | undefined): boolean {
  return (
    value === undefined ||
    value === false ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  )
}

const BOUNDED: readonly string[] = ['number', 'date', 'datetime']

function compare(field: PublicField, value: string, bound: string): number {
  if (field.type === 'number') {
    return Number(value) - Number(bound)
  }
  // ISO dates and date-times compare correctly as strings when they share a precision, so cut both
  // to the shorter one: a date against a date-time bound compares by day.
  const n = Math.min(value.length, bound.length)
  const a = value.slice(0, n)
  const b = bound.slice(0, n)
  return a < b ? -1 : a > b ? 1 : 0
}

function checkFormat(field: PublicField, value: string): boolean {
  switch (field.type) {
    case 'email':
      return value.length <= 254 && value.indexOf('@') <= 64 && EMAIL.test(value)
    case 'tel': {
      // Counted as the proxy stores the number: 6 to 15 digits, as E.164 allows.
      const digits = normalisePhone(value).length
      return TEL.test(value) && digits >= 6 && digits <= 15
    }
    case 'number':
      return NUMBER.test(value)
    case 'date': {
      const m = DATE.exec(value)
      return m !== null && isRealDate(m[1] ?? '', m[2] ?? '', m[3] ?? '')
    }
    case 'datetime': {
      const m = DATETIME.exec(value)
      return (
        m !== null &&
        isRealDate(m[1] ?? '', m[2] ?? '', m[3] ?? '') &&
        Number(m[4]) < 24 &&
        Number(m[5]) < 60 &&
        Number(m[6] ?? 0) < 60
      )
    }
    case 'select':
    case 'radio':
      return (field.options ?? []).some((o) => o.value === value)
    default:
      return true
  }
}

/**
 * The first rule the value breaks, or `null` when it is valid. A value of the wrong kind (a list
 * for a text field, say) counts as a `format` failure.
 */
export function validateField(
  field: PublicField,
  value: FieldValue | undefined,
  pattern: PatternTest = matchesPattern,
): Rule | null {
  if (isEmpty(value)) {
    return field.required ? 'required' : null
  }
  if (field.type === 'checkbox') {
    return value === true || value === 'true' ? null : 'format'
  }
  if (field.type === 'checkboxes') {
    if (!Array.isArray(value)) {
      return 'format'
    }
    const allowed = new Set((field.options ?? []).map((o) => o.value))
    return value.every((v) => allowed.has(v)) ? null : 'format'
  }
  if (typeof value !== 'string') {
    return 'format'
  }
  // Checked as the proxy stores it: trimmed (proxy/signup/validate.ts).
  value = value.trim()
  if (value.length > (field.maxLength ?? MAX_TEXT_LENGTH)) {
    return 'maxLength'
  }
  if (CONTROL.test(field.type === 'textarea' ? value.replace(/[\t\n\r]/g, '') : value)) {
    return 'characters'
  }
  if (field.type === 'hidden') {
    return null
  }
  if (!checkFormat(field, value)) {
    return 'format'
  }
  if (field.forbiddenSymbols?.some((s) => s !== '' && value.includes(s))) {
    return 'forbiddenSymbols'
  }
  if (field.pattern !== undefined && !pattern(field.pattern, value)) {
    return 'pattern'
  }
  // Bounds only mean something for ordered values; on a text field they would compare letters.
  if (!BOUNDED.includes(field.type)) {
    return null
  }
  if (field.min !== undefined && compare(field, value, field.min) < 0) {
    return 'min'
  }
  if (field.max !== undefined && compare(field, value, field.max) > 0) {
    return 'max'
  }
  return null
}

/** Anchored like HTML's `pattern` attribute; an unusable pattern from upstream does not block people. */
export function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value)
  } catch {
    try {
      return new RegExp(`^(?:${pattern})$`).test(value)
    } catch {
      return true
    }
  }
}

export interface Failure {
  field: PublicField
  rule: Rule
}

/**
 * Every failing field of a submission with the first rule it breaks, in form order: the proxy's
 * check of a whole submission. Content fields carry no value. (The widget checks field by field,
 * as the person types, and adds what the browser itself rejected.)
 */
export function validateValues(
  fields: readonly PublicField[],
  values: Readonly<Record<string, FieldValue | undefined>>,
  pattern?: PatternTest,
): Failure[] {
  const failures: Failure[] = []
  for (const field of fields) {
    const rule = isContentField(field) ? null : validateField(field, values[field.name], pattern)
    if (rule) {
      failures.push({ field, rule })
    }
  }
  return failures
}
