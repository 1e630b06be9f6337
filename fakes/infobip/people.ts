// The People module as the flow and forms APIs touch it: profiles identified by email, phone,
// externalId or channel ids, created, partially updated and merged.
import { z } from 'zod'
import { EMAIL_PATTERN } from './seed'

// Jackson accepts `null` for an absent attribute, so the fake does too.
const opt = <T extends z.ZodType>(schema: T) => schema.nullish()
const phoneNumber = z.union([z.string(), z.number()]).transform(String)

const contactInformationSchema = z.object({
  phone: opt(z.array(z.object({ number: phoneNumber })).max(100)),
  email: opt(z.array(z.object({ address: z.string().max(255) })).max(100)),
  push: opt(z.array(z.object({ registrationId: z.string() }))),
})

export const personDataSchema = z.object({
  externalId: opt(z.string().max(256)),
  firstName: opt(z.string().max(255)),
  lastName: opt(z.string().max(255)),
  middleName: opt(z.string().max(50)),
  type: opt(z.enum(['CUSTOMER', 'LEAD'])),
  address: opt(z.string().max(50)),
  city: opt(z.string().max(50)),
  country: opt(z.string().max(50)),
  gender: opt(z.enum(['MALE', 'FEMALE'])),
  birthDate: opt(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be formatted as YYYY-MM-DD')),
  preferredLanguage: opt(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be formatted as xx or xx-YY')),
  profilePicture: opt(z.string().max(2083)),
  tags: opt(z.array(z.string())),
  customAttributes: opt(z.record(z.string(), z.unknown())),
  contactInformation: opt(contactInformationSchema),
})

export type PersonPayload = z.infer<typeof personDataSchema>

const SCALAR_KEYS = [
  'externalId',
  'firstName',
  'lastName',
  'middleName',
  'type',
  'address',
  'city',
  'country',
  'gender',
  'birthDate',
  'preferredLanguage',
  'profilePicture',
] as const

type ScalarKey = (typeof SCALAR_KEYS)[number]

export type ChannelKind = 'facebook' | 'line' | 'appleBusinessChat'

export interface ChannelContact {
  applicationId: string
  userId: string
}

export interface StoredPerson extends Partial<Record<Exclude<ScalarKey, 'type'>, string>> {
  id: number
  type: string
  tags: string[]
  customAttributes: Record<string, unknown>
  contactInformation: {
    phone: { number: string }[]
    email: { address: string }[]
    push: { registrationId: string }[]
  } & Partial<Record<ChannelKind, ChannelContact[]>>
  origin: 'API' | 'FORMS'
  createdAt: string
  modifiedAt: string
}

/** Infobip's timestamp style: milliseconds and an offset without a colon. */
function infobipDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000')
}

const emailRegex = new RegExp(EMAIL_PATTERN)

export function isValidEmail(value: string): boolean {
  return value.length <= 255 && emailRegex.test(value)
}

/**
 * E.164 without the plus, the way Infobip writes numbers. A leading `+` is tolerated because
 * nothing in the material says it is refused; anything else that is not a plausible number is.
 */
export function normalizePhone(value: string): string | undefined {
  const digits = value.startsWith('+') ? value.slice(1) : value
  return /^[1-9]\d{6,14}$/.test(digits) ? digits : undefined
}

export type ContactProblem = { kind: 'email'; value: string } | { kind: 'msisdn'; value: string }

/** The first contact in the data that People would refuse. */
export function contactProblem(data: PersonPayload): ContactProblem | undefined {
  for (const { number } of data.contactInformation?.phone ?? []) {
    if (normalizePhone(number) === undefined) {
      return { kind: 'msisdn', value: number }
    }
  }
  for (const { address } of data.contactInformation?.email ?? []) {
    if (!isValidEmail(address)) {
      return { kind: 'email', value: address }
    }
  }
  return undefined
}

/** Phone and email are the destinations People accepts as enough to create a profile. */
export function hasContact(data: PersonPayload): boolean {
  const info = data.contactInformation
  return (info?.phone?.length ?? 0) + (info?.email?.length ?? 0) > 0
}

export type Conflict = { kind: 'email' | 'phone' | 'externalId'; person: StoredPerson }

/** Which people hold one identifier (an email, a phone number, an externalId). */
class IdentifierIndex {
  readonly #ids = new Map<string, Set<number>>()

  add(key: string, id: number): void {
    let ids = this.#ids.get(key)
    if (!ids) {
      ids = new Set()
      this.#ids.set(key, ids)
    }
    ids.add(id)
  }

  remove(key: string, id: number): void {
    const ids = this.#ids.get(key)
    ids?.delete(id)
    if (ids?.size === 0) {
      this.#ids.delete(key)
    }
  }

  /** The oldest (lowest id) person holding the key, as a scan in creation order would find. */
  first(key: string): number | undefined {
    let lowest: number | undefined
    for (const id of this.#ids.get(key) ?? []) {
      lowest = lowest === undefined || id < lowest ? id : lowest
    }
    return lowest
  }

  clear(): void {
    this.#ids.clear()
  }
}

export class PeopleStore {
  readonly #people = new Map<number, StoredPerson>()
  // Indexes for the lookups every add call makes: a scan of every person per signup made the
  // sandbox fake the slowest part of a load test (a third of the proxy's CPU after some thousands).
  // Every mutation goes through this class (create, update, merge, clear), which keeps them true.
  readonly #byEmail = new IdentifierIndex()
  readonly #byPhone = new IdentifierIndex()
  readonly #byExternalId = new IdentifierIndex()
  readonly #now: () => number
  #nextId = 1

  constructor(now: () => number) {
    this.#now = now
  }

  all(): StoredPerson[] {
    return [...this.#people.values()]
  }

  get(id: number): StoredPerson | undefined {
    return this.#people.get(id)
  }

  findByEmail(address: string): StoredPerson | undefined {
    return this.#found(this.#byEmail.first(address.toLowerCase()))
  }

  findByPhone(number: string): StoredPerson | undefined {
    return this.#found(this.#byPhone.first(normalizePhone(number) ?? number))
  }

  findByExternalId(externalId: string): StoredPerson | undefined {
    return this.#found(this.#byExternalId.first(externalId))
  }

  #found(id: number | undefined): StoredPerson | undefined {
    return id === undefined ? undefined : this.#people.get(id)
  }

  #index(person: StoredPerson): void {
    for (const { address } of person.contactInformation.email) {
      this.#byEmail.add(address.toLowerCase(), person.id)
    }
    for (const { number } of person.contactInformation.phone) {
      this.#byPhone.add(number, person.id)
    }
    if (person.externalId != null) {
      this.#byExternalId.add(person.externalId, person.id)
    }
  }

  #unindex(person: StoredPerson): void {
    for (const { address } of person.contactInformation.email) {
      this.#byEmail.remove(address.toLowerCase(), person.id)
    }
    for (const { number } of person.contactInformation.phone) {
      this.#byPhone.remove(number, person.id)
    }
    if (person.externalId != null) {
      this.#byExternalId.remove(person.externalId, person.id)
    }
  }

  findByPushRegistration(registrationId: string): StoredPerson | undefined {
    const wanted = registrationId.toLowerCase()
    return this.all().find((p) => p.contactInformation.push.some((e) => e.registrationId.toLowerCase() === wanted))
  }

  findByChannel(kind: ChannelKind, contact: ChannelContact): StoredPerson | undefined {
    return this.all().find((p) =>
      (p.contactInformation[kind] ?? []).some(
        (c) => c.applicationId === contact.applicationId && c.userId === contact.userId,
      ),
    )
  }

  /** Every distinct person one of the data's identifiers points at, oldest first. */
  matching(data: PersonPayload): StoredPerson[] {
    const found = new Map<number, StoredPerson>()
    const add = (p: StoredPerson | undefined) => {
      if (p) {
        found.set(p.id, p)
      }
    }
    for (const { address } of data.contactInformation?.email ?? []) {
      add(this.findByEmail(address))
    }
    for (const { number } of data.contactInformation?.phone ?? []) {
      add(this.findByPhone(number))
    }
    if (data.externalId != null) {
      add(this.findByExternalId(data.externalId))
    }
    return [...found.values()].sort((a, b) => a.id - b.id)
  }

  /** An identifier in the data that already belongs to someone other than `exceptId`. */
  conflict(data: PersonPayload, exceptId?: number): Conflict | undefined {
    const other = (p: StoredPerson | undefined) => (p && p.id !== exceptId ? p : undefined)
    for (const { address } of data.contactInformation?.email ?? []) {
      const person = other(this.findByEmail(address))
      if (person) {
        return { kind: 'email', person }
      }
    }
    for (const { number } of data.contactInformation?.phone ?? []) {
      const person = other(this.findByPhone(number))
      if (person) {
        return { kind: 'phone', person }
      }
    }
    const byExternalId = data.externalId == null ? undefined : other(this.findByExternalId(data.externalId))
    return byExternalId ? { kind: 'externalId', person: byExternalId } : undefined
  }

  create(data: PersonPayload, origin: StoredPerson['origin'] = 'API'): StoredPerson {
    const stamp = infobipDate(this.#now())
    const person: StoredPerson = {
      id: this.#nextId++,
      type: 'CUSTOMER',
      tags: [],
      customAttributes: {},
      contactInformation: { phone: [], email: [], push: [] },
      origin,
      createdAt: stamp,
      modifiedAt: stamp,
    }
    this.#people.set(person.id, person)
    this.update(person, data)
    person.modifiedAt = stamp
    return person
  }

  /** Partial update: only attributes present in `data` change; contacts and tags accumulate. */
  update(person: StoredPerson, data: PersonPayload): void {
    this.#unindex(person)
    for (const key of SCALAR_KEYS) {
      const value = data[key]
      if (value != null) {
        person[key] = value
      }
    }
    for (const tag of data.tags ?? []) {
      if (!person.tags.includes(tag)) {
        person.tags.push(tag)
      }
    }
    Object.assign(person.customAttributes, data.customAttributes ?? {})
    const info = person.contactInformation
    for (const { number } of data.contactInformation?.phone ?? []) {
      const normalized = normalizePhone(number) ?? number
      if (!info.phone.some((p) => p.number === normalized)) {
        info.phone.push({ number: normalized })
      }
    }
    for (const { address } of data.contactInformation?.email ?? []) {
      if (!info.email.some((e) => e.address.toLowerCase() === address.toLowerCase())) {
        info.email.push({ address })
      }
    }
    for (const { registrationId } of data.contactInformation?.push ?? []) {
      if (!info.push.some((p) => p.registrationId.toLowerCase() === registrationId.toLowerCase())) {
        info.push.push({ registrationId })
      }
    }
    person.modifiedAt = infobipDate(this.#now())
    this.#index(person)
  }

  addChannel(person: StoredPerson, kind: ChannelKind, contact: ChannelContact): void {
    const list = (person.contactInformation[kind] ??= [])
    if (!list.some((c) => c.applicationId === contact.applicationId && c.userId === contact.userId)) {
      list.push(contact)
    }
  }

  /** Folds `others` into `target` (target's own attributes win) and deletes them. */
  merge(target: StoredPerson, others: StoredPerson[]): void {
    for (const other of others) {
      if (other.id === target.id) {
        continue
      }
      for (const key of SCALAR_KEYS) {
        if (target[key] == null && other[key] != null) {
          target[key] = other[key]
        }
      }
      target.customAttributes = { ...other.customAttributes, ...target.customAttributes }
      this.#unindex(other)
      this.#people.delete(other.id)
      this.update(target, {
        tags: other.tags,
        contactInformation: other.contactInformation,
      })
      for (const kind of ['facebook', 'line', 'appleBusinessChat'] as const) {
        for (const contact of other.contactInformation[kind] ?? []) {
          this.addChannel(target, kind, contact)
        }
      }
    }
  }

  clear(): void {
    this.#people.clear()
    this.#byEmail.clear()
    this.#byPhone.clear()
    this.#byExternalId.clear()
    this.#nextId = 1
  }
}
