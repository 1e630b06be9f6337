import type { PublicField, SubmissionValues } from '../../contract/definition'
import { createTranslate } from '../../contract/texts'
import { formTexts, resolveLocale } from '../forms/localise'
import type { ResolvedForm } from '../forms/registry'
import { ValidationError } from '../common/errors'
import { errorText } from '../../contract/error-text'
import { toE164 } from './phone'
import { fieldErrors, type SubmissionBody, valuesSchema } from './schema'

/**
 * The submission's values checked against the form, with messages in the language the form was
 * shown in, and normalised as the upstreams want them. Throws ValidationError (a 422).
 */
export function validateValues(form: ResolvedForm, body: SubmissionBody): SubmissionValues {
  const locale = body.context?.locale
  const parsed = valuesSchema(form.definition.fields, locale, form.config.texts).safeParse(body.values)
  if (!parsed.success) {
    throw new ValidationError(fieldErrors(parsed.error))
  }
  const values = normalise(form, parsed.data)
  const phones = invalidPhones(form, values)
  if (phones.length > 0) {
    const t = createTranslate(formTexts(form.config.texts, resolveLocale(locale)))
    throw new ValidationError(Object.fromEntries(phones.map((field) => [field.name, [errorText(field, 'format', t)]])))
  }
  return values
}

/**
 * Values as the upstreams want them: checkbox "true"/"false" strings become booleans, texts are
 * trimmed (as contract/validate.ts measured them).
 */
function normalise(form: ResolvedForm, values: Record<string, unknown>): SubmissionValues {
  const result: SubmissionValues = {}
  for (const field of form.definition.fields) {
    const value = values[field.name]
    if (value === undefined) {
      continue
    }
    if (typeof value !== 'string') {
      result[field.name] = value as SubmissionValues[string]
    } else {
      result[field.name] = field.type === 'checkbox' ? value === 'true' : value.trim()
    }
  }
  return result
}

/**
 * Phone fields whose number is not real, after rewriting the others to E.164 in `values`: what is
 * stored and sent are its digits (contract/identity.ts normalisePhone), now with the country code
 * the form's `defaultCountry` implies.
 */
function invalidPhones(form: ResolvedForm, values: SubmissionValues): PublicField[] {
  const invalid: PublicField[] = []
  for (const field of form.definition.fields) {
    const value = values[field.name]
    if (field.type !== 'tel' || typeof value !== 'string' || value === '') {
      continue
    }
    const e164 = toE164(value, form.config.defaultCountry)
    if (e164 === null) {
      invalid.push(field)
    } else {
      values[field.name] = e164
    }
  }
  return invalid
}

/** The field to ask for when a signup has neither an email nor a phone: email first. */
export function identityMissing(form: ResolvedForm, locale: string | undefined): ValidationError {
  const byKey = (key: string) => form.definition.fields.find((f) => form.personFields[f.name] === key)
  const field = byKey('email') ?? byKey('phone')
  if (!field) {
    return new ValidationError({ _form: ['This form cannot take signups right now.'] })
  }
  const t = createTranslate(formTexts(form.config.texts, resolveLocale(locale)))
  return new ValidationError({ [field.name]: [errorText(field, 'required', t)] })
}
