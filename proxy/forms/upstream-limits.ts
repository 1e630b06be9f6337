import type { PublicField } from '../../contract/definition'
import { isContentField } from '../../contract/definition'

/**
 * The longest value Infobip People takes for each person attribute, from its OpenAPI document
 * (shared/reference/infobip-openapi, IamPersonV2; summarised in upstream-apis.md §2.3): a longer
 * one is refused upstream, so the person would hear "something went wrong" instead of "too long".
 * Custom attributes take 4096 per value, above contract/validate.ts MAX_TEXT_LENGTH, which bounds
 * every other text. Emails (≤255) and phones (≤50) have stricter rules of their own; RapidPro's
 * contact name (≤64) is shortened in upstreams/rapidpro/contact.ts.
 */
const PERSON_LIMITS: Readonly<Record<string, number>> = {
  firstName: 255,
  lastName: 255,
  middleName: 50,
  address: 50,
  city: 50,
  country: 50,
  externalId: 256,
  profilePicture: 2083,
}

/**
 * Gives each field that feeds a person attribute the attribute's limit as its `maxLength`, unless
 * the form's own is stricter, so widget and proxy both say "at most N characters" in the person's
 * language before anything goes upstream.
 */
export function boundByUpstream(fields: readonly PublicField[], personFields: Readonly<Record<string, string>>): void {
  for (const field of fields) {
    if (isContentField(field) || !Object.hasOwn(personFields, field.name)) {
      continue
    }
    const target = personFields[field.name] ?? ''
    const limit = Object.hasOwn(PERSON_LIMITS, target) ? PERSON_LIMITS[target] : undefined
    if (limit !== undefined && (field.maxLength === undefined || field.maxLength > limit)) {
      field.maxLength = limit
    }
  }
}
