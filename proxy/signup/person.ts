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
        fieldOf(result, target, key)
      }
    } else if ((OWN_ATTRIBUTES as readonly string[]).includes(target)) {
      const value = ownValue(target, text(raw).trim())
      if (value !== undefined) {
        person[target as (typeof OWN_ATTRIBUTES)[number]] = value
        fieldOf(result, target, key)
      }
    } else {
      person.customAttributes ??= {}
      person.customAttributes[target] = typeof raw === 'boolean' ? raw : text(raw)
      fieldOf(result, target, key)
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

/** Which submission key fed a person attribute, so that Infobip's complaint about it lands on that field. */
function fieldOf(data: PersonData, attribute: string, key: string): void {
  data.fieldsByAttribute ??= {}
  data.fieldsByAttribute[attribute] = key
}

/**
 * A value of the spec's format (IamPersonV2), or undefined to leave the attribute out: Infobip
 * refuses the whole person for one malformed attribute, and neither can the person correct these.
 */
function ownValue(attribute: string, value: string): string | undefined {
  if (value === '') {
    return undefined
  }
  if (attribute === 'preferredLanguage') {
    return preferredLanguage(value)
  }
  if (attribute === 'birthDate') {
    // `YYYY-MM-DD`; a date-time keeps its date.
    const date = value.slice(0, 10)
    return /^\d{4}-\d{2}-\d{2}$/.test(date) &&
      !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) &&
      new Date(`${date}T00:00:00Z`).toISOString().startsWith(date)
      ? date
      : undefined
  }
  return value
}

/**
 * "Two letter ISO (xx) or language-region BCP-47 (xx-YY)": `en_gb` → `en-GB`, `de-Latn-CH` →
 * `de-CH`, `iw` → `he`; undefined for what has no two-letter form (`english`, `fil`).
 */
export function preferredLanguage(value: string): string | undefined {
  const tag = value.trim().replaceAll('_', '-')
  if (tag === '' || tag.length > 64) {
    return undefined
  }
  let locale: Intl.Locale
  try {
    locale = new Intl.Locale(tag)
  } catch {
    return undefined
  }
  const language = locale.language.toLowerCase()
  if (!/^[a-z]{2}$/.test(language)) {
    return undefined
  }
  const region = locale.region?.toUpperCase()
  return region && /^[A-Z]{2}$/.test(region) ? `${language}-${region}` : language
}
