// /api/v2/contacts.json and /api/v2/contact_actions.json, with RapidPro's validation order and
// messages (temba/api/v2/serializers.py ContactWriteSerializer, ContactBulkActionSerializer).
import { randomUUID } from 'node:crypto'
import { detail, invalidFields, isObject, json, noContent, notFound, paginate, pyType, readObject } from './http'
import {
  type ContactStatus,
  contactJson,
  findStoredGroup,
  type RapidproState,
  type StoredContact,
  type StoredGroup,
} from './state'
import { isLanguage } from './languages'
import { identityOf, invalidUrnMessage, MAX_URN_LENGTH, normaliseUrn, parseUrn, validateUrn } from './urns'

const MAX_ITEMS = 100
const MAX_NAME = 64

type Lookup =
  | { kind: 'none' }
  | { kind: 'uuid'; uuid: string }
  | { kind: 'urn'; urn: string }
  | { kind: 'error'; response: Response }

/** `?uuid=` or `?urn=` (normalised), never both. */
function lookupOf(state: RapidproState, url: URL): Lookup {
  const uuid = url.searchParams.get('uuid')
  const urn = url.searchParams.get('urn')
  let identity: string | undefined
  if (urn !== null) {
    // BaseAPIView.normalize_urn: normalised, but not validated, before anything else.
    const normalised = normaliseUrn(urn, state.country)
    if (!normalised) {
      return { kind: 'error', response: detail(400, `Invalid URN: ${urn}`) }
    }
    identity = identityOf(normalised)
  }
  if (uuid !== null && !isUuid(uuid)) {
    return { kind: 'error', response: detail(400, `Param 'uuid': ${uuid} is not a valid UUID.`) }
  }
  if (uuid !== null && identity !== undefined) {
    return { kind: 'error', response: detail(400, 'URL can only contain one of the following parameters: urn, uuid') }
  }
  if (uuid !== null) {
    return { kind: 'uuid', uuid: uuid.toLowerCase() }
  }
  return identity !== undefined ? { kind: 'urn', urn: identity } : { kind: 'none' }
}

/** Python's UUID(): 32 hex digits, hyphens optional, braces and a "urn:uuid:" prefix allowed. */
export function isUuid(value: string): boolean {
  const hex = value
    .replace(/^urn:uuid:/i, '')
    .replace(/^\{|\}$/g, '')
    .replaceAll('-', '')
  return /^[0-9a-f]{32}$/i.test(hex)
}

function byUrn(state: RapidproState, urn: string): StoredContact | undefined {
  for (const contact of state.contacts.values()) {
    if (contact.active && contact.urns.includes(urn)) {
      return contact
    }
  }
  return undefined
}

export function listContacts(state: RapidproState, url: URL): Response {
  // ?deleted=true lists only deleted contacts, anything else only the others.
  const deleted = url.searchParams.get('deleted') === 'true'
  let contacts = [...state.contacts.values()].filter((c) => c.active !== deleted)
  const uuid = url.searchParams.get('uuid')
  if (uuid) {
    if (!isUuid(uuid)) {
      return detail(400, `Param 'uuid': ${uuid} is not a valid UUID.`)
    }
    contacts = contacts.filter((c) => c.uuid === uuid.toLowerCase())
  }
  const urn = url.searchParams.get('urn')
  if (urn) {
    const normalised = normaliseUrn(urn, state.country)
    if (!normalised) {
      return detail(400, `Invalid URN: ${urn}`)
    }
    const identity = identityOf(normalised)
    contacts = contacts.filter((c) => c.urns.includes(identity))
  }
  const groupRef = url.searchParams.get('group')
  if (groupRef !== null) {
    const group = state.groups.find((g) => g.uuid === groupRef || g.name === groupRef)
    contacts = group ? contacts.filter((c) => c.groups.includes(group.uuid)) : []
  }
  contacts.sort((a, b) => b.modifiedOn - a.modifiedOn)
  return paginate(
    state,
    url,
    contacts.map((c) => contactJson(state, c)),
  )
}

interface ContactInput {
  name?: string | null
  language?: string | null
  urns?: string[]
  groups?: StoredGroup[]
  fields?: Record<string, string | null>
}

/**
 * DRF's CharField (rest_framework/fields.py), as every string of the contact write is one: null
 * when allowed, blank refused unless allowed (after trimming), numbers taken as their text, NUL
 * refused. Returns the value or the messages.
 */
function charField(
  value: unknown,
  options: { allowNull: boolean; allowBlank: boolean; minLength?: number; maxLength?: number },
): { ok: true; value: string | null } | { ok: false; errors: string[] } {
  if (value === null) {
    return options.allowNull ? { ok: true, value: null } : { ok: false, errors: ['This field may not be null.'] }
  }
  if (typeof value === 'string' && value.trim() === '') {
    return options.allowBlank ? { ok: true, value: '' } : { ok: false, errors: ['This field may not be blank.'] }
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { ok: false, errors: ['Not a valid string.'] }
  }
  const text = String(value).trim()
  const errors: string[] = []
  const length = Array.from(text).length
  if (options.maxLength !== undefined && length > options.maxLength) {
    errors.push(`Ensure this field has no more than ${options.maxLength} characters.`)
  }
  if (options.minLength !== undefined && length < options.minLength) {
    errors.push(`Ensure this field has at least ${options.minLength} characters.`)
  }
  if (text.includes('\u0000')) {
    errors.push('Null characters are not allowed.')
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: text }
}

/** Field by field, the checks of ContactWriteSerializer; the first problem of each field is kept. */
function validateContact(
  state: RapidproState,
  body: Record<string, unknown>,
  lookupByUrn: boolean,
): { input: ContactInput; errors: Record<string, unknown> } {
  const input: ContactInput = {}
  const errors: Record<string, unknown> = {}
  if ('name' in body) {
    const name = charField(body.name, { allowNull: true, allowBlank: false, maxLength: MAX_NAME })
    if (name.ok) {
      input.name = name.value
    } else {
      errors.name = name.errors
    }
  }
  if ('language' in body) {
    const language = charField(body.language, { allowNull: true, allowBlank: false, minLength: 3, maxLength: 3 })
    if (!language.ok) {
      errors.language = language.errors
    } else if (language.value !== null && !isLanguage(language.value)) {
      // validate_language: pycountry.languages.get(alpha_3=…), which ignores case.
      errors.language = ['Not a valid ISO639-3 language code.']
    } else {
      input.language = language.value
    }
  }
  if ('urns' in body) {
    const urns = body.urns
    if (!Array.isArray(urns)) {
      errors.urns = [`Expected a list of items but got type "${pyType(urns)}".`]
    } else if (urns.length > MAX_ITEMS) {
      errors.urns = [`Ensure this field has no more than ${MAX_ITEMS} elements.`]
    } else {
      const itemErrors: Record<string, string[]> = {}
      const normalised: string[] = []
      urns.forEach((urn: unknown, index) => {
        // URNField.to_internal_value: str(data), then validate_urn with the workspace's country.
        const text = typeof urn === 'string' ? urn : JSON.stringify(urn)
        const valid = validateUrn(text, state.country)
        if (!valid) {
          itemErrors[index] = [invalidUrnMessage(text)]
          return
        }
        if (valid.length > MAX_URN_LENGTH) {
          itemErrors[index] = [`Ensure this field has no more than ${MAX_URN_LENGTH} characters.`]
          return
        }
        const parsed = parseUrn(valid)
        normalised.push(parsed ? identityOf(parsed) : valid)
      })
      if (Object.keys(itemErrors).length > 0) {
        errors.urns = itemErrors
      } else if (lookupByUrn) {
        errors.urns = ['Field not allowed when using URN in URL']
      } else {
        input.urns = [...new Set(normalised)]
      }
    }
  }
  if ('groups' in body) {
    const refs = body.groups
    if (!Array.isArray(refs)) {
      errors.groups = [`Expected a list of items but got type "${pyType(refs)}".`]
    } else if (refs.length > MAX_ITEMS) {
      errors.groups = [`Ensure this field has no more than ${MAX_ITEMS} elements.`]
    } else {
      const groups: StoredGroup[] = []
      for (const ref of refs as unknown[]) {
        // TembaModelField.to_internal_value: a UUID or a name, as a string or an integer; no objects.
        if (typeof ref !== 'string' && !(typeof ref === 'number' && Number.isInteger(ref))) {
          errors.groups = ['Must be a string or integer']
          break
        }
        const key = String(ref)
        const group = findStoredGroup(state, key)
        if (!group || group.system) {
          errors.groups = [`No such object: ${key}`]
          break
        }
        if (group.query) {
          errors.groups = [`Contact group must not be query based: ${key}`]
          break
        }
        groups.push(group)
      }
      if (!errors.groups) {
        input.groups = groups
      }
    }
  }
  if ('fields' in body) {
    const fields = body.fields
    if (!isObject(fields)) {
      errors.fields = [`Expected a dictionary of items but got type "${pyType(fields)}".`]
    } else {
      const valueErrors: Record<string, string[]> = {}
      const values: Record<string, string | null> = {}
      for (const [key, value] of Object.entries(fields)) {
        const checked = charField(value, { allowNull: true, allowBlank: true })
        if (checked.ok) {
          values[key] = checked.value
        } else {
          valueErrors[key] = checked.errors
        }
      }
      const unknown = Object.keys(fields).find((key) => !state.fields.some((f) => f.key === key))
      if (Object.keys(valueErrors).length > 0) {
        errors.fields = valueErrors
      } else if (Object.keys(fields).length > MAX_ITEMS) {
        errors.fields = [`Ensure this field has no more than ${MAX_ITEMS} elements.`]
      } else if (unknown !== undefined) {
        errors.fields = [`Invalid contact field key: ${unknown}`]
      } else {
        input.fields = values
      }
    }
  }
  return { input, errors }
}

export async function writeContact(state: RapidproState, request: Request, url: URL): Promise<Response> {
  const lookup = lookupOf(state, url)
  if (lookup.kind === 'error') {
    return lookup.response
  }
  const read = await readObject(request)
  if (!read.ok) {
    return read.response
  }
  let instance: StoredContact | undefined
  if (lookup.kind === 'uuid') {
    instance = state.contacts.get(lookup.uuid)
    if (!instance) {
      return notFound()
    }
  } else if (lookup.kind === 'urn') {
    // An unknown URN is no 404 here: the contact is created with it.
    instance = byUrn(state, lookup.urn)
  }
  const { input, errors } = validateContact(state, read.value, lookup.kind === 'urn')
  if (Object.keys(errors).length > 0) {
    return invalidFields(errors)
  }
  // ContactWriteSerializer.validate, run once every field passed.
  if (instance && !instance.active) {
    return invalidFields({ non_field_errors: ["Deleted contacts can't be modified."] })
  }
  if (lookup.kind === 'urn' && !instance && !input.urns) {
    if (!validateUrn(lookup.urn, state.country)) {
      return invalidFields({ non_field_errors: [invalidUrnMessage(lookup.urn)] })
    }
    input.urns = [lookup.urn]
  }
  if (instance && instance.status !== 'active' && input.groups && input.groups.length > 0) {
    return invalidFields({ groups: ["Non-active contacts can't be added to groups"] })
  }
  const taken = (input.urns ?? []).findIndex((urn) => {
    const owner = byUrn(state, urn)
    return owner !== undefined && owner !== instance
  })
  if (taken >= 0) {
    return invalidFields({ urns: { [taken]: ['URN is in use by another contact.'] } })
  }
  const now = state.now()
  if (!instance) {
    const contact: StoredContact = {
      uuid: randomUUID(),
      name: input.name ?? null,
      language: input.language ?? null,
      urns: input.urns ?? [],
      groups: (input.groups ?? []).map((g) => g.uuid),
      fields: Object.fromEntries(
        Object.entries(input.fields ?? {}).filter((e): e is [string, string] => Boolean(e[1])),
      ),
      status: 'active',
      active: true,
      createdOn: now,
      modifiedOn: now,
    }
    state.contacts.set(contact.uuid, contact)
    return json(201, contactJson(state, contact))
  }
  // Only what the body names changes; `urns` and `groups` replace the contact's lists.
  if (input.name !== undefined) {
    instance.name = input.name
  }
  if (input.language !== undefined) {
    instance.language = input.language
  }
  if (input.urns) {
    instance.urns = input.urns
  }
  if (input.groups) {
    instance.groups = input.groups.map((g) => g.uuid)
  }
  for (const [key, value] of Object.entries(input.fields ?? {})) {
    if (value === null || value === '') {
      delete instance.fields[key]
    } else {
      instance.fields[key] = value
    }
  }
  instance.modifiedOn = now
  return json(200, contactJson(state, instance))
}

export function deleteContact(state: RapidproState, url: URL): Response {
  const lookup = lookupOf(state, url)
  if (lookup.kind === 'error') {
    return lookup.response
  }
  if (lookup.kind === 'none') {
    return detail(400, 'URL must contain one of the following parameters: urn, uuid')
  }
  const contact = lookup.kind === 'uuid' ? state.contacts.get(lookup.uuid) : byUrn(state, lookup.urn)
  if (!contact) {
    return notFound()
  }
  // RapidPro releases the contact: its URNs, groups and values go, the deleted contact stays.
  release(contact)
  return noContent()
}

const ACTIONS = ['add', 'remove', 'block', 'unblock', 'interrupt', 'archive_messages', 'delete', 'archive'] as const
const WITH_GROUP = new Set(['add', 'remove'])

export async function contactAction(state: RapidproState, request: Request): Promise<Response> {
  const read = await readObject(request)
  if (!read.ok) {
    return read.response
  }
  const body = read.value
  const errors: Record<string, string[]> = {}
  const contacts: StoredContact[] = []
  if (!('contacts' in body)) {
    errors.contacts = ['This field is required.']
  } else if (!Array.isArray(body.contacts)) {
    errors.contacts = [`Expected a list of items but got type "${pyType(body.contacts)}".`]
  } else if (body.contacts.length > MAX_ITEMS) {
    errors.contacts = [`Ensure this field has no more than ${MAX_ITEMS} elements.`]
  } else {
    for (const ref of body.contacts as unknown[]) {
      const key = String(ref)
      const normalised = normaliseUrn(key, state.country)
      const byUuid = state.contacts.get(key)
      const contact =
        (byUuid?.active ? byUuid : undefined) ?? (normalised ? byUrn(state, identityOf(normalised)) : undefined)
      if (!contact) {
        errors.contacts = [`No such object: ${key}`]
        break
      }
      contacts.push(contact)
    }
    if (!errors.contacts && contacts.length === 0) {
      errors.contacts = ["Contacts can't be empty."]
    }
  }
  const action = body.action
  if (action === undefined) {
    errors.action = ['This field is required.']
  } else if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    errors.action = [`"${String(action)}" is not a valid choice.`]
  }
  let group: StoredGroup | undefined
  if (body.group !== undefined && body.group !== null) {
    const ref = String(body.group)
    group = findStoredGroup(state, ref)
    if (!group || group.system) {
      errors.group = [`No such object: ${ref}`]
    } else if (group.query) {
      errors.group = [`Contact group must not be query based: ${ref}`]
    }
  }
  if (Object.keys(errors).length > 0) {
    return invalidFields(errors)
  }
  const verb = action as (typeof ACTIONS)[number]
  if (WITH_GROUP.has(verb) && !group) {
    return invalidFields({ non_field_errors: [`For action "${verb}" you should also specify a group`] })
  }
  if (!WITH_GROUP.has(verb) && group) {
    return invalidFields({ non_field_errors: [`For action "${verb}" you should not specify a group`] })
  }
  if (verb === 'add') {
    const inactive = contacts.filter((c) => c.status !== 'active').map((c) => c.uuid)
    if (inactive.length > 0) {
      return invalidFields({
        non_field_errors: [`Non-active contacts cannot be added to groups: ${inactive.join(', ')}`],
      })
    }
  }
  const now = state.now()
  for (const contact of contacts) {
    switch (verb) {
      case 'add':
        if (group && !contact.groups.includes(group.uuid)) {
          contact.groups.push(group.uuid)
        }
        break
      case 'remove':
        contact.groups = contact.groups.filter((uuid) => uuid !== group?.uuid)
        break
      case 'block':
      case 'unblock':
        contact.status = (verb === 'block' ? 'blocked' : 'active') satisfies ContactStatus
        if (verb === 'block') {
          contact.groups = []
        }
        break
      case 'delete':
        release(contact)
        break
      default:
        // interrupt, archive_messages: nothing the fake keeps changes.
        break
    }
    contact.modifiedOn = now
  }
  return noContent()
}

/** Contact.release: the contact is kept as deleted, without its URNs, groups, values or name. */
function release(contact: StoredContact): void {
  contact.active = false
  contact.urns = []
  contact.groups = []
  contact.fields = {}
  contact.name = null
}
