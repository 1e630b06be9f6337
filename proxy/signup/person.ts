import type { FieldValue, SubmissionValues } from '../../contract/definition'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { PersonData } from '../delivery/payloads'
import type { Person } from '../upstreams/infobip/types'

const OWN_ATTRIBUTES = [
  'firstName',
  'lastName',
  'middleName',
  'address',
  'city',
  'country',
  'birthDate',
  'externalId',
  'preferredLanguage',
] as const

export type { PersonData }

function text(value: FieldValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/**
 * Maps submitted values to Infobip people data (contract section 3). `personFields` says which
 * people attribute each submission key feeds; keys it does not list are left out.
 */
export function toPersonData(
  values: SubmissionValues,
  personFields: Record<string, string>,
  tags: readonly string[] = [],
): PersonData {
  const person: Person = {}
  const result: PersonData = { person }
  for (const [key, raw] of Object.entries(values)) {
    const target = Object.hasOwn(personFields, key) ? personFields[key] : undefined
    if (!target || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
      continue
    }
    if (target === 'email' && typeof raw === 'string') {
      result.email = normaliseEmail(raw)
      result.emailField = key
    } else if (target === 'phone' && typeof raw === 'string') {
      result.phone = normalisePhone(raw)
      result.phoneField = key
    } else if (target === 'gender') {
      const gender = text(raw).toUpperCase()
      if (gender === 'MALE' || gender === 'FEMALE') {
        person.gender = gender
      }
    } else if ((OWN_ATTRIBUTES as readonly string[]).includes(target)) {
      person[target as (typeof OWN_ATTRIBUTES)[number]] = text(raw).trim()
    } else {
      person.customAttributes ??= {}
      person.customAttributes[target] = typeof raw === 'boolean' ? raw : text(raw)
    }
  }
  if (result.email || result.phone) {
    person.contactInformation = {
      ...(result.email ? { email: [{ address: result.email }] } : {}),
      ...(result.phone ? { phone: [{ number: result.phone }] } : {}),
    }
  }
  if (tags.length > 0) {
    person.tags = [...tags]
  }
  return result
}
