// /api/v2/fields.json and /api/v2/groups.json: create, update, list (and delete groups), with the
// key generation, uniqueness and workspace limits of RapidPro (ContactFieldWriteSerializer,
// ContactGroupWriteSerializer).
import { randomUUID } from 'node:crypto'
import { RAPIDPRO_FIELD_TYPES, type RapidproFieldType } from '../../proxy/upstreams/rapidpro/types'
import { detail, invalidFields, json, noContent, notFound, paginate, readObject } from './http'
import {
  fieldJson,
  groupJson,
  isValidKey,
  LEGACY_FIELD_TYPES,
  makeKey,
  type RapidproState,
  type StoredField,
  type StoredGroup,
} from './state'

const MAX_FIELD_NAME = 36
const MAX_GROUP_NAME = 64

export function listFields(state: RapidproState, url: URL): Response {
  const key = url.searchParams.get('key')
  const fields = key === null ? state.fields : state.fields.filter((f) => f.key === key)
  return paginate(state, url, fields.map(fieldJson))
}

/** DRF CharField: required, a string, not blank, trimmed, at most `max` characters. */
function charField(body: Record<string, unknown>, name: string, max: number): { value?: string; error?: string } {
  const value = body[name]
  if (value === undefined) {
    return {}
  }
  if (typeof value !== 'string') {
    return { error: 'Not a valid string.' }
  }
  const trimmed = value.trim()
  if (trimmed === '') {
    return { error: 'This field may not be blank.' }
  }
  if (Array.from(trimmed).length > max) {
    return { error: `Ensure this field has no more than ${max} characters.` }
  }
  return { value: trimmed }
}

export async function writeField(state: RapidproState, request: Request, url: URL): Promise<Response> {
  const keyParam = url.searchParams.get('key')
  const instance = keyParam === null ? undefined : state.fields.find((f) => f.key === keyParam)
  if (keyParam !== null && !instance) {
    return notFound()
  }
  if (!instance && state.fields.length >= state.limits.fields) {
    return detail(409, `Cannot create object because workspace has reached limit of ${state.limits.fields}.`)
  }
  const read = await readObject(request)
  if (!read.ok) {
    return read.response
  }
  const body = read.value
  const errors: Record<string, string[]> = {}
  // `label` and `value_type` are the deprecated names of `name` and `type`; both are accepted.
  let name: string | undefined
  for (const key of ['name', 'label'] as const) {
    const { value, error } = charField(body, key, MAX_FIELD_NAME)
    if (error) {
      errors[key] = [error]
    } else if (value !== undefined) {
      if (!/^[A-Za-z0-9\- ]+$/.test(value)) {
        errors[key] = ['Can only contain letters, numbers and hypens.']
      } else if (!isValidKey(makeKey(value))) {
        errors[key] = [`Generated key "${makeKey(value)}" is invalid or a reserved name.`]
      } else if (
        state.fields.some(
          (f) => f !== instance && (f.name.toLowerCase() === value.toLowerCase() || f.key === makeKey(value)),
        )
      ) {
        errors[key] = ['This field must be unique.']
      } else {
        name ??= value
      }
    }
  }
  let type: RapidproFieldType | undefined
  if (body.type !== undefined) {
    if (typeof body.type === 'string' && (RAPIDPRO_FIELD_TYPES as readonly string[]).includes(body.type)) {
      type = body.type as RapidproFieldType
    } else {
      errors.type = [`"${String(body.type)}" is not a valid choice.`]
    }
  }
  if (body.value_type !== undefined) {
    const legacy = Object.entries(LEGACY_FIELD_TYPES).find(([, v]) => v === body.value_type)
    if (legacy) {
      type ??= legacy[0] as RapidproFieldType
    } else {
      errors.value_type = [`"${String(body.value_type)}" is not a valid choice.`]
    }
  }
  if (Object.keys(errors).length > 0) {
    return invalidFields(errors)
  }
  if (!name) {
    return invalidFields({ non_field_errors: ["Field 'name' is required."] })
  }
  if (!type) {
    return invalidFields({ non_field_errors: ["Field 'type' is required."] })
  }
  if (instance) {
    // An update renames the field and may change its type; its key stays.
    instance.name = name
    instance.type = type
    return json(200, fieldJson(instance))
  }
  const field: StoredField = { key: makeKey(name), name, type }
  state.fields.push(field)
  return json(201, fieldJson(field))
}

export function listGroups(state: RapidproState, url: URL): Response {
  const uuid = url.searchParams.get('uuid')
  const name = url.searchParams.get('name')
  if (uuid !== null && name !== null) {
    return detail(400, 'You may only specify one of the uuid, name parameters')
  }
  let groups = state.groups
  if (uuid !== null) {
    groups = groups.filter((g) => g.uuid === uuid)
  } else if (name !== null) {
    groups = groups.filter((g) => g.name.toLowerCase() === name.toLowerCase())
  }
  return paginate(
    state,
    url,
    groups.map((g) => groupJson(state, g)),
  )
}

export async function writeGroup(state: RapidproState, request: Request, url: URL): Promise<Response> {
  const uuid = url.searchParams.get('uuid')
  const instance = uuid === null ? undefined : state.groups.find((g) => g.uuid === uuid)
  if (uuid !== null && !instance) {
    return notFound()
  }
  if (instance?.system) {
    return detail(403, 'Cannot modify system object.')
  }
  if (!instance && state.groups.filter((g) => !g.system).length >= state.limits.groups) {
    return detail(409, 'Cannot create object because workspace has reached limit.')
  }
  const read = await readObject(request)
  if (!read.ok) {
    return read.response
  }
  const body = read.value
  if (body.name === undefined) {
    return invalidFields({ name: ['This field is required.'] })
  }
  const { value: name, error } = charField(body, 'name', MAX_GROUP_NAME)
  if (error || name === undefined) {
    return invalidFields({ name: [error ?? 'This field is required.'] })
  }
  const forbidden = ['"', '\\'].find((c) => name.includes(c))
  if (forbidden) {
    return invalidFields({ name: [`Cannot contain the character: ${forbidden}`] })
  }
  if (state.groups.some((g) => g !== instance && g.name.toLowerCase() === name.toLowerCase())) {
    return invalidFields({ name: ['This field must be unique.'] })
  }
  if (instance) {
    instance.name = name
    return json(200, groupJson(state, instance))
  }
  const group: StoredGroup = { uuid: randomUUID(), name, query: null, system: false }
  state.groups.push(group)
  return json(201, groupJson(state, group))
}

export function deleteGroup(state: RapidproState, url: URL): Response {
  const uuid = url.searchParams.get('uuid')
  if (uuid === null) {
    return detail(400, 'URL must contain one of the following parameters: uuid')
  }
  const group = state.groups.find((g) => g.uuid === uuid)
  if (!group) {
    return notFound()
  }
  if (group.system) {
    return detail(403, 'Cannot delete system object.')
  }
  state.groups = state.groups.filter((g) => g !== group)
  for (const contact of state.contacts.values()) {
    contact.groups = contact.groups.filter((g) => g !== uuid)
  }
  return noContent()
}
