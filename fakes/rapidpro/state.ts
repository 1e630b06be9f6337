// What the RapidPro fake remembers, its seed, and the JSON shapes of the v2 read serializers.
import { randomUUID } from 'node:crypto'
import type { RapidproFieldType } from '../../proxy/upstreams/rapidpro/types'

/** The deprecated `value_type` names of the field types (RAPIDPRO_FIELD_TYPES, the current names). */
export const LEGACY_FIELD_TYPES: Record<RapidproFieldType, string> = {
  text: 'text',
  number: 'numeric',
  datetime: 'datetime',
  state: 'state',
  district: 'district',
  ward: 'ward',
}

export type ContactStatus = 'active' | 'blocked' | 'stopped' | 'archived'

export interface StoredContact {
  uuid: string
  name: string | null
  language: string | null
  /** Normalised, in preference order. */
  urns: string[]
  /** UUIDs of the manual groups the contact is in. */
  groups: string[]
  fields: Record<string, string>
  status: ContactStatus
  /** False once deleted: RapidPro keeps deleted contacts (is_active) and lists them with ?deleted=true. */
  active: boolean
  createdOn: number
  modifiedOn: number
}

export interface StoredField {
  key: string
  name: string
  type: RapidproFieldType
}

export interface StoredGroup {
  uuid: string
  name: string
  /** Smart groups have a query; contacts cannot be added to them. */
  query: string | null
  system: boolean
}

export interface SeedGroup {
  name: string
  uuid?: string
  query?: string | null
  system?: boolean
}

export interface SeedField {
  name: string
  type?: RapidproFieldType
  /** Default: generated from the name as RapidPro does. */
  key?: string
}

export interface FakeLimits {
  fields: number
  groups: number
}

export interface RapidproState {
  now: () => number
  /** The workspace's default country (ISO 3166-1 alpha-2) for numbers without a country code; none by default. */
  country?: string | undefined
  pageSize: number
  limits: FakeLimits
  contacts: Map<string, StoredContact>
  fields: StoredField[]
  groups: StoredGroup[]
}

/** Stable ids of the seeded groups, so a demo config or a test can name them by UUID. */
export const RAPIDPRO_SANDBOX_SEED = {
  newsletterGroupUuid: '6685e933-26e1-4363-a468-8f7268ab63a9',
  vipGroupUuid: '5f05311e-8f81-4a67-a5b5-1501b6d6496a',
} as const

/** The groups of the demo config plus one the demo never writes (to show that it is left alone). */
export function defaultRapidproGroups(): SeedGroup[] {
  return [
    { name: 'Newsletter', uuid: RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid },
    { name: 'VIP', uuid: RAPIDPRO_SANDBOX_SEED.vipGroupUuid },
  ]
}

/** The fields the demo config's `welcome` form writes (email and firstName become URN and name). */
export function defaultRapidproFields(): SeedField[] {
  return [{ name: 'Consent', type: 'text' }]
}

/** RapidPro's ContactField.make_key: lower-case, runs of anything but [a-z0-9] become `_`. */
export function makeKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/[^a-z0-9]+/g, '_')
}

const RESERVED_KEYS = new Set(['has', 'is', 'fields', 'urns', 'created_on', 'last_seen_on'])

export function isValidKey(key: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(key) && key.length <= 36 && !RESERVED_KEYS.has(key)
}

export function seedGroups(seed: SeedGroup[]): StoredGroup[] {
  return seed.map((g) => ({
    uuid: g.uuid ?? randomUUID(),
    name: g.name,
    query: g.query ?? null,
    system: g.system ?? false,
  }))
}

export function seedFields(seed: SeedField[]): StoredField[] {
  return seed.map((f) => ({ key: f.key ?? makeKey(f.name), name: f.name, type: f.type ?? 'text' }))
}

/** RapidPro's datetime format: UTC with microseconds. */
export function datetime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z')
}

export interface ContactJson {
  uuid: string
  name: string | null
  status: ContactStatus | null
  language: string | null
  urns: string[]
  groups: { uuid: string; name: string }[]
  notes: unknown[]
  fields: Record<string, string | null>
  flow: null
  created_on: string
  modified_on: string
  last_seen_on: null
  blocked: boolean
  stopped: boolean
}

export function contactJson(state: RapidproState, contact: StoredContact): ContactJson {
  const groups = contact.groups.flatMap((uuid) => {
    const group = state.groups.find((g) => g.uuid === uuid)
    return group ? [{ uuid: group.uuid, name: group.name }] : []
  })
  // Like RapidPro, every field of the workspace is listed, null when the contact has no value.
  const fields = Object.fromEntries(state.fields.map((f) => [f.key, fieldValue(f, contact.fields[f.key])]))
  return {
    uuid: contact.uuid,
    name: contact.active ? contact.name : null,
    status: contact.active ? contact.status : null,
    language: contact.active ? contact.language : null,
    urns: [...contact.urns],
    groups,
    notes: [],
    fields,
    flow: null,
    created_on: datetime(contact.createdOn),
    modified_on: datetime(contact.modifiedOn),
    last_seen_on: null,
    blocked: contact.status === 'blocked',
    stopped: contact.status === 'stopped',
  }
}

export interface FieldJson {
  key: string
  name: string
  type: RapidproFieldType
  featured: boolean
  priority: number
  usages: { flows: number; groups: number; campaign_events: number }
  agent_access: 'view'
  label: string
  value_type: string
}

export function fieldJson(field: StoredField): FieldJson {
  return {
    key: field.key,
    name: field.name,
    type: field.type,
    featured: false,
    priority: 0,
    usages: { flows: 0, groups: 0, campaign_events: 0 },
    agent_access: 'view',
    label: field.name,
    value_type: LEGACY_FIELD_TYPES[field.type],
  }
}

export interface GroupJson {
  uuid: string
  name: string
  query: string | null
  status: 'ready'
  system: boolean
  count: number
}

export function groupJson(state: RapidproState, group: StoredGroup): GroupJson {
  let count = 0
  for (const contact of state.contacts.values()) {
    if (contact.groups.includes(group.uuid)) {
      count += 1
    }
  }
  return { uuid: group.uuid, name: group.name, query: group.query, status: 'ready', system: group.system, count }
}

/** A group by UUID, or by name case-insensitively, as RapidPro's ContactGroupField looks it up. */
export function findStoredGroup(state: RapidproState, ref: string): StoredGroup | undefined {
  return (
    state.groups.find((g) => g.uuid === ref) ?? state.groups.find((g) => g.name.toLowerCase() === ref.toLowerCase())
  )
}

// temba/tests/dates.py parse_datetime, for the formats a client should send: full ISO 8601 with a
// time zone, or a date alone. Anything else (notably a date-time without a zone) reads back as null.
const FULL_ISO8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d{0,9})?([+-]\d{2}:\d{2}|Z)$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** How RapidPro reads a value back by the field's type: a datetime or number it cannot parse is null. */
function fieldValue(field: StoredField, value: string | undefined): string | null {
  if (value === undefined) {
    return null
  }
  if (field.type === 'datetime') {
    const text = value.trim().replace(/\.$/, '')
    if (!FULL_ISO8601.test(text) && !ISO_DATE.test(text)) {
      return null
    }
    const at = new Date(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'))
    return Number.isNaN(at.getTime()) ? null : datetime(at.getTime())
  }
  if (field.type === 'number') {
    const number = Number(value.trim())
    return value.trim() !== '' && Number.isFinite(number) ? value.trim() : null
  }
  return value
}
