import type { SubmissionValues } from '../../contract/definition'
import { createTranslate } from '../../contract/texts'
import { formTexts, resolveLocale } from '../forms/localise'
import type { ResolvedForm } from '../forms/registry'
import { ValidationError } from '../http/errors'
import { errorText } from '../../contract/error-text'
import { fieldErrors, type SubmissionBody, valuesSchema } from './schema'

/**
 * The submission's values checked against the form, with messages in the language the form was
 * shown in, and normalised as the upstreams want them. Throws ValidationError (a 422).
 */
export function validateValues(form: ResolvedForm, body: SubmissionBody): SubmissionValues {
  const parsed = valuesSchema(form.definition.fields, body.context?.locale, form.config.texts).safeParse(body.values)
  if (!parsed.success) {
    throw new ValidationError(fieldErrors(parsed.error))
  }
  return normalise(form, parsed.data)
}

/** Values as the upstreams want them: checkbox "true"/"false" strings become booleans. */
function normalise(form: ResolvedForm, values: Record<string, unknown>): SubmissionValues {
  const result: SubmissionValues = {}
  for (const field of form.definition.fields) {
    const value = values[field.name]
    if (value === undefined) {
      continue
    }
    result[field.name] =
      field.type === 'checkbox' && typeof value === 'string' ? value === 'true' : (value as SubmissionValues[string])
  }
  return result
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
