import type { FieldValue, SubmissionValues } from '../../../contract/definition'
import { type FieldConfig, type FormConfig, RAPIDPRO_URN_SCHEMES, type RapidproConfig } from '../../config/schema'
import { fieldKeyFor } from './keys'
import { toIso6393 } from '../../common/iso639'
import { escapePath, mailtoUrn, telUrn, whatsappUrn } from './urns'
import type { RapidproFieldType } from './types'

export { mailtoUrn, telUrn, whatsappUrn } from './urns'
export { toIso6393 } from '../../common/iso639'

/** URN schemes a form can give its contacts, in the order they are attached. */
export type RapidproUrnScheme = (typeof RAPIDPRO_URN_SCHEMES)[number]
const DEFAULT_URN_SCHEMES: readonly RapidproUrnScheme[] = ['mailto', 'tel']

const MAX_NAME_LENGTH = 64

/** People keys that become the contact's own attributes or URNs rather than contact fields. */
const NOT_FIELDS = new Set(['email', 'phone', 'firstName', 'lastName', 'preferredLanguage'])

/**
 * A submission as RapidPro should see it (contract section 3). Written to the outbox as is, so it
 * holds plain JSON only.
 */
export interface RapidproContactPlan {
  /** The URN the contact is looked up by (`?urn=`): mailto when there is an email, else tel, … */
  urn: string | null
  /** Every URN the contact should have, `urn` first. */
  urns: string[]
  /** Sent with `?urn=`: never `urns`, never `groups` (which would replace the contact's groups). */
  body: { name?: string; language?: string; fields?: Record<string, string> }
  /** Groups (names or UUIDs) the contact is added to. */
  groups: string[]
  /** The form's language, for a contact that has none yet. */
  defaultLanguage?: string
  /** Submission keys that carried the email / phone, so a URN complaint lands on the right field. */
  emailField?: string
  phoneField?: string
}

/** What the form knows besides its values: how to read a national number, and its fields' types. */
export interface RapidproContactOptions {
  /** The form's `defaultCountry`, for phone numbers typed without a country code. */
  defaultCountry?: string | undefined
  /** Submitted field name → the form's field type (`date`, `datetime`, …). */
  fieldTypes?: Record<string, string>
  /** Told about a value that is left out rather than failing the whole contact write. */
  warn?: (message: string) => void
}

// DRF's CharField refuses a NUL anywhere ("Null characters are not allowed."), which would lose
// the whole contact write for one stray character.
const NUL = '\u0000'

function text(value: FieldValue): string {
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false'
  }
  return (Array.isArray(value) ? value.join(', ') : value).replaceAll(NUL, '').trim()
}

/**
 * A value for a RapidPro `datetime` field. RapidPro reads a value without a time zone as no date at
 * all (it reads back as null), so one is always given. A date alone becomes noon UTC: the same
 * calendar day in every time zone from UTC-11 to UTC+11, where midnight would show the day before
 * in the Americas. A date-time typed without a zone (the browser's datetime-local) is taken as UTC.
 */
export function rapidproDatetime(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${value}T12:00:00Z`
  }
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)$/.exec(value)
  if (local) {
    return `${local[1]}T${local[2]}${local[2]?.length === 5 ? ':00' : ''}Z`
  }
  return value
}

/** Maps submitted values (by people key, see proxy/signup/person.ts) to what RapidPro should hold. */
export function toRapidproContact(
  values: SubmissionValues,
  personFields: Record<string, string>,
  config: RapidproConfig,
  options: RapidproContactOptions = {},
): RapidproContactPlan {
  const schemes = new Set<RapidproUrnScheme>(config.urns ?? DEFAULT_URN_SCHEMES)
  const urnsByScheme = new Map<RapidproUrnScheme, string>()
  const plan: RapidproContactPlan = { urn: null, urns: [], body: {}, groups: [...(config.groups ?? [])] }
  const names: { firstName?: string; lastName?: string } = {}
  const fields: Record<string, string> = {}
  for (const [key, raw] of Object.entries(values)) {
    const target = own(personFields, key)
    const value = text(raw)
    if (!target || value === '') {
      continue
    }
    if (target === 'email') {
      plan.emailField = key
      const urn = schemes.has('mailto') ? mailtoUrn(value) : null
      if (urn) {
        urnsByScheme.set('mailto', urn)
      }
    } else if (target === 'phone') {
      plan.phoneField = key
      const tel = schemes.has('tel') ? telUrn(value, options.defaultCountry) : null
      const whatsapp = schemes.has('whatsapp') ? whatsappUrn(value, options.defaultCountry) : null
      if (tel) {
        urnsByScheme.set('tel', tel)
      }
      if (whatsapp) {
        urnsByScheme.set('whatsapp', whatsapp)
      }
    } else if (target === 'externalId' && schemes.has('ext')) {
      urnsByScheme.set('ext', `ext:${escapePath(value)}`)
    } else if (target === 'firstName' || target === 'lastName') {
      names[target] = value
    } else if (target === 'preferredLanguage') {
      const language = toIso6393(value)
      if (language) {
        plan.body.language = language
      } else {
        // RapidPro would refuse the whole contact for it; the contact is written without one.
        options.warn?.(
          `preferred language "${value.slice(0, 32)}" is no ISO 639-3 language: contact written without it`,
        )
      }
    } else {
      const fieldKey = own(config.fields, key) ?? own(config.fields, target) ?? fieldKeyFor(target)
      const type = own(options.fieldTypes, key)
      if (fieldKey) {
        fields[fieldKey] = type === 'date' || type === 'datetime' ? rapidproDatetime(value) : value
      }
    }
  }
  plan.urns = RAPIDPRO_URN_SCHEMES.flatMap((scheme) => urnsByScheme.get(scheme) ?? [])
  plan.urn = plan.urns[0] ?? null
  const name = [names.firstName, names.lastName].filter(Boolean).join(' ')
  if (name) {
    // RapidPro counts characters, not UTF-16 units.
    const cut = Array.from(name).slice(0, MAX_NAME_LENGTH).join('').trim()
    // RapidPro refuses a blank name ("This field may not be blank."); null or absent keeps it unset.
    if (cut !== '') {
      plan.body.name = cut
    }
  }
  if (Object.keys(fields).length > 0) {
    plan.body.fields = fields
  }
  if (config.language) {
    plan.defaultLanguage = config.language
  }
  return plan
}

/** The contact fields a config-defined form writes, with a fitting RapidPro type, for `sync`. */
export function contactFieldsOf(form: FormConfig): { key: string; type: RapidproFieldType; from: string }[] {
  const config = form.rapidpro
  if (!config) {
    return []
  }
  const schemes = new Set<RapidproUrnScheme>(config.urns ?? DEFAULT_URN_SCHEMES)
  const result = new Map<string, { key: string; type: RapidproFieldType; from: string }>()
  for (const field of form.fields ?? []) {
    // Titles and descriptions (config types since the widget draws them) carry no value to store.
    const content = field.type === 'title' || field.type === 'description'
    if (content || NOT_FIELDS.has(field.name) || (field.name === 'externalId' && schemes.has('ext'))) {
      continue
    }
    const key = own(config.fields, field.name) ?? fieldKeyFor(field.name)
    if (key && !result.has(key)) {
      result.set(key, { key, type: fieldType(field), from: field.name })
    }
  }
  // Forms defined in Infobip have no fields here: the explicit mapping names what they write.
  for (const [from, key] of Object.entries(config.fields ?? {})) {
    if (!result.has(key)) {
      result.set(key, { key, type: 'text', from })
    }
  }
  return [...result.values()]
}

function fieldType(field: FieldConfig): RapidproFieldType {
  if (field.type === 'number') {
    return 'number'
  }
  return field.type === 'date' || field.type === 'datetime' ? 'datetime' : 'text'
}

/** A map lookup that cannot find Object.prototype's members for keys such as "constructor". */
function own(map: Record<string, string> | undefined, key: string): string | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined
}
