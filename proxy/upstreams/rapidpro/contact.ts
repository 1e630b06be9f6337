import type { FieldValue, SubmissionValues } from '../../../contract/definition'
import { normaliseEmail, normalisePhone } from '../../../contract/identity'
import { type FieldConfig, type FormConfig, RAPIDPRO_URN_SCHEMES, type RapidproConfig } from '../../config/schema'
import { fieldKeyFor } from './keys'
import type { RapidproFieldType } from './types'

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

function text(value: FieldValue): string {
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false'
  }
  return (Array.isArray(value) ? value.join(', ') : value).trim()
}

/** `tel:` needs E.164 with `+`; a leading international `00` is the same thing. */
export function telUrn(raw: string): string {
  return `tel:+${normalisePhone(raw)}`
}

export function mailtoUrn(raw: string): string {
  return `mailto:${normaliseEmail(raw)}`
}

/** WhatsApp URNs are the number's digits with the country code and no `+`. */
export function whatsappUrn(raw: string): string {
  return `whatsapp:${normalisePhone(raw)}`
}

/** Maps submitted values (by people key, see proxy/signup/person.ts) to what RapidPro should hold. */
export function toRapidproContact(
  values: SubmissionValues,
  personFields: Record<string, string>,
  config: RapidproConfig,
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
      if (schemes.has('mailto')) {
        urnsByScheme.set('mailto', mailtoUrn(value))
      }
    } else if (target === 'phone') {
      plan.phoneField = key
      if (schemes.has('tel')) {
        urnsByScheme.set('tel', telUrn(value))
      }
      if (schemes.has('whatsapp')) {
        urnsByScheme.set('whatsapp', whatsappUrn(value))
      }
    } else if (target === 'externalId' && schemes.has('ext')) {
      urnsByScheme.set('ext', `ext:${value}`)
    } else if (target === 'firstName' || target === 'lastName') {
      names[target] = value
    } else if (target === 'preferredLanguage') {
      const language = toIso6393(value)
      if (language) {
        plan.body.language = language
      }
    } else {
      const fieldKey = own(config.fields, key) ?? own(config.fields, target) ?? fieldKeyFor(target)
      if (fieldKey) {
        fields[fieldKey] = value
      }
    }
  }
  plan.urns = RAPIDPRO_URN_SCHEMES.flatMap((scheme) => urnsByScheme.get(scheme) ?? [])
  plan.urn = plan.urns[0] ?? null
  const name = [names.firstName, names.lastName].filter(Boolean).join(' ')
  if (name) {
    // RapidPro counts characters, not UTF-16 units.
    plan.body.name = Array.from(name).slice(0, MAX_NAME_LENGTH).join('').trim()
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

/** ISO 639-1 → 639-3 for the languages a shop is likely to offer; RapidPro wants 639-3. */
const ISO_639_1: Record<string, string> = {
  af: 'afr',
  am: 'amh',
  ar: 'ara',
  bg: 'bul',
  bn: 'ben',
  bs: 'bos',
  cs: 'ces',
  da: 'dan',
  de: 'deu',
  el: 'ell',
  en: 'eng',
  es: 'spa',
  et: 'est',
  fa: 'fas',
  fi: 'fin',
  fr: 'fra',
  ha: 'hau',
  he: 'heb',
  hi: 'hin',
  hr: 'hrv',
  hu: 'hun',
  id: 'ind',
  ig: 'ibo',
  it: 'ita',
  ja: 'jpn',
  ko: 'kor',
  lt: 'lit',
  lv: 'lav',
  ms: 'msa',
  nb: 'nob',
  ne: 'nep',
  nl: 'nld',
  no: 'nor',
  pl: 'pol',
  pt: 'por',
  ro: 'ron',
  ru: 'rus',
  rw: 'kin',
  sk: 'slk',
  sl: 'slv',
  so: 'som',
  sr: 'srp',
  sv: 'swe',
  sw: 'swa',
  th: 'tha',
  tl: 'tgl',
  tr: 'tur',
  uk: 'ukr',
  ur: 'urd',
  vi: 'vie',
  xh: 'xho',
  yo: 'yor',
  zh: 'zho',
  zu: 'zul',
}

/** `eng`, `en`, `en-GB`, `EN_us` → `eng`; anything else → undefined (the form's language applies). */
export function toIso6393(value: string): string | undefined {
  const code = value.trim().toLowerCase().split(/[-_]/)[0] ?? ''
  if (/^[a-z]{3}$/.test(code)) {
    return code
  }
  return ISO_639_1[code]
}

/** A map lookup that cannot find Object.prototype's members for keys such as "constructor". */
function own(map: Record<string, string> | undefined, key: string): string | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined
}
