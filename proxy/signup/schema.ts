import * as z from 'zod'
import type { FieldValue, PublicField } from '../../contract/definition'
import { isContentField } from '../../contract/definition'
import { createTranslate } from '../../contract/texts'
import { validateValues } from '../../contract/validate'
import { errorText } from '../../contract/error-text'
import type { TextsConfig } from '../config/schema'
import { formTexts, resolveLocale } from '../forms/localise'
import { linearPattern } from '../forms/patterns'

/**
 * The envelope's own bound on one value: far above any field's, so that a long value reaches the
 * field rules and is answered 422 "at most N characters" in the person's language, not 400. The
 * body's byte limit (413) still bounds the whole.
 */
const MAX_ENVELOPE_TEXT = 100_000

/** The envelope every submission must have, whatever the form. */
export const SubmissionBody = z.strictObject({
  values: z.record(
    z.string().min(1).max(100),
    z.union([z.string().max(MAX_ENVELOPE_TEXT), z.boolean(), z.array(z.string().max(MAX_ENVELOPE_TEXT)).max(200)]),
  ),
  /** Where the signup happened, for upstream analytics; optional and never required. */
  context: z
    .strictObject({
      campaign: z.string().max(200).optional(),
      page: z.string().max(2000).optional(),
      /** The language the form was shown in (BCP 47): the language of the 422 messages. */
      locale: z.string().max(35).optional(),
    })
    .optional(),
  /** Bot defense (proxy/signup/bots): the timing token from the definition. */
  token: z.string().max(200).optional(),
  /** Bot defense: the honeypot input's value; anything but empty means a bot filled it. */
  honeypot: z.unknown().optional(),
  /** Bot defense: the solved challenge (the provider's response token, or the ALTCHA payload). */
  challenge: z.string().max(8_192).optional(),
})
export type SubmissionBody = z.infer<typeof SubmissionBody>

function valueSchema(field: PublicField): z.ZodType<FieldValue | undefined> {
  switch (field.type) {
    case 'checkbox':
      return z.union([z.boolean(), z.literal('true'), z.literal('false'), z.literal('')]).optional()
    case 'checkboxes':
      return z.array(z.string()).optional()
    default:
      return z.string().optional()
  }
}

type ValuesSchema = z.ZodType<Record<string, FieldValue | undefined>>

/** By form definition, then by language: a form's config texts never change while its fields stay the same. */
const cache = new WeakMap<readonly PublicField[], Map<string, ValuesSchema>>()

/**
 * A zod schema for one form's values: types and unknown keys by zod, meaning by the same
 * contract/validate.ts rules the widget runs and worded by the same contract/error-text.ts, so
 * both sides agree on what is valid and say it in one voice. Messages are in the best built-in
 * language for `locale`, with the form's config `texts` applied.
 */
export function valuesSchema(fields: readonly PublicField[], locale?: string, texts?: TextsConfig): ValuesSchema {
  const language = resolveLocale(locale)
  let byLanguage = cache.get(fields)
  if (!byLanguage) {
    byLanguage = new Map()
    cache.set(fields, byLanguage)
  }
  const cached = byLanguage.get(language)
  if (cached) {
    return cached
  }
  const words = formTexts(texts, language)
  const t = createTranslate(words)
  const inputs = fields.filter((f) => !isContentField(f))
  const shape = Object.fromEntries(inputs.map((f) => [f.name, valueSchema(f)]))
  const schema = z
    .strictObject(shape, {
      error: (issue) => (issue.code === 'unrecognized_keys' ? words['error.unknown'] : undefined),
    })
    .superRefine((values, ctx) => {
      for (const { field, rule } of validateValues(inputs, values, linearPattern)) {
        ctx.addIssue({ code: 'custom', path: [field.name], message: errorText(field, rule, t) })
      }
    }) as ValuesSchema
  byLanguage.set(language, schema)
  return schema
}

/** Per-field messages from a failed parse, keyed by field name (unknown keys under their own name). */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  // No prototype: a submitted key such as "constructor" must not find Object.prototype's.
  const fields: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  for (const issue of error.issues) {
    const names = issue.code === 'unrecognized_keys' ? issue.keys : [String(issue.path[0] ?? '_form')]
    for (const name of names) {
      ;(fields[name] ??= []).push(issue.message)
    }
  }
  return fields
}
