// Legacy (deprecated) Flow API: add a person to a flow, creating or updating them first, and
// remove a person from a flow. Error codes as in the seed document's table; errorCode is a number.
import { z } from 'zod'
import { empty, legacyError, readJson } from './http'
import { contactProblem, hasContact, personDataSchema } from './people'
import type { Conflict, ContactProblem, StoredPerson, PersonPayload } from './people'
import type { SandboxState } from './state'

type IdentifierKind = 'phone' | 'email' | 'externalId' | 'pushRegistrationId'

interface Identifier {
  kind: IdentifierKind
  value: string
}

const ADD_IDENTIFIERS: readonly IdentifierKind[] = ['phone', 'email', 'externalId', 'pushRegistrationId']
const REMOVE_IDENTIFIERS: readonly IdentifierKind[] = ['phone', 'email', 'externalId']

const addBody = z.object({
  personData: personDataSchema.nullish(),
  flowVariables: z.record(z.string(), z.unknown()).nullish(),
})

const PERSON_NOT_CREATABLE =
  'Person not found for given identifier, and not enough person data is provided for creation'

function describeContact(problem: ContactProblem): string {
  return problem.kind === 'msisdn' ? 'msisdn: Number is invalid.' : 'email: Email address is invalid.'
}

function describeConflict(conflict: Conflict): string {
  switch (conflict.kind) {
    case 'email':
      return 'Email address already exists'
    case 'phone':
      return 'Phone number already exists'
    case 'externalId':
      return 'External ID already exists'
  }
}

function readIdentifier(url: URL, allowed: readonly IdentifierKind[]): Identifier | undefined | 'ambiguous' {
  const given = allowed.filter((kind) => url.searchParams.has(kind))
  if (given.length > 1) {
    return 'ambiguous'
  }
  const kind = given[0]
  return kind === undefined ? undefined : { kind, value: url.searchParams.get(kind) ?? '' }
}

function find(state: SandboxState, { kind, value }: Identifier): StoredPerson | undefined {
  switch (kind) {
    case 'phone':
      return state.people.findByPhone(value)
    case 'email':
      return state.people.findByEmail(value)
    case 'externalId':
      return state.people.findByExternalId(value)
    case 'pushRegistrationId':
      return state.people.findByPushRegistration(value)
  }
}

/** The person data with the query identifier folded in, for creating a person that is missing. */
function withIdentifier(data: PersonPayload | undefined, { kind, value }: Identifier): PersonPayload {
  const info = data?.contactInformation
  switch (kind) {
    case 'phone':
      return { ...data, contactInformation: { ...info, phone: [{ number: value }, ...(info?.phone ?? [])] } }
    case 'email':
      return { ...data, contactInformation: { ...info, email: [{ address: value }, ...(info?.email ?? [])] } }
    case 'externalId':
      return { ...data, externalId: value }
    case 'pushRegistrationId':
      return { ...data, contactInformation: { ...info, push: [{ registrationId: value }, ...(info?.push ?? [])] } }
  }
}

/** Validates and stores a new person; a Response when People refuses. */
function createPerson(state: SandboxState, data: PersonPayload): StoredPerson | Response {
  const problem = contactProblem(data)
  if (problem) {
    return legacyError(40003, `Error creating person: ${describeContact(problem)}`)
  }
  const conflict = state.people.conflict(data)
  if (conflict) {
    return legacyError(40002, `Error creating person: ${describeConflict(conflict)}`)
  }
  return state.people.create(data)
}

function updatePerson(state: SandboxState, person: StoredPerson, data: PersonPayload): Response | undefined {
  const problem = contactProblem(data)
  if (problem) {
    return legacyError(40003, `Error updating person: ${describeContact(problem)}`)
  }
  const conflict = state.people.conflict(data, person.id)
  if (conflict) {
    return legacyError(40002, `Error updating person: ${describeConflict(conflict)}`)
  }
  state.people.update(person, data)
  return undefined
}

function resolvePerson(
  state: SandboxState,
  identifier: Identifier | undefined,
  data: PersonPayload | undefined,
): StoredPerson | Response {
  if (!identifier) {
    // Plain create: People needs at least one contact to create a profile.
    if (!data || !hasContact(data)) {
      return legacyError(40001, 'Bad request: personData.contactInformation must contain at least one contact')
    }
    return createPerson(state, data)
  }
  const existing = find(state, identifier)
  if (existing) {
    const refused = data ? updatePerson(state, existing, data) : undefined
    return refused ?? existing
  }
  const creatable =
    identifier.kind === 'phone' || identifier.kind === 'email' || (data !== undefined && hasContact(data))
  if (!creatable) {
    return legacyError(40402, PERSON_NOT_CREATABLE)
  }
  return createPerson(state, withIdentifier(data, identifier))
}

function flowProblem(state: SandboxState, campaignId: string): Response | undefined {
  const flow = state.flows.get(campaignId)
  if (!flow) {
    return legacyError(40401, 'Flow not found')
  }
  return flow.status === 'ACTIVE' ? undefined : legacyError(40005, 'Flow inactive')
}

export async function addPersonToFlow(
  state: SandboxState,
  request: Request,
  url: URL,
  campaignId: string,
): Promise<Response> {
  const identifier = readIdentifier(url, ADD_IDENTIFIERS)
  if (identifier === 'ambiguous') {
    return legacyError(40001, 'Bad request: only one of phone, email, externalId, pushRegistrationId is allowed')
  }
  if (identifier && identifier.value.trim() === '') {
    return legacyError(40001, `Bad request: ${identifier.kind} must not be empty`)
  }
  const body = await readJson(request)
  if (!body.ok) {
    return legacyError(40001, 'Bad request: malformed JSON body')
  }
  const parsed = body.empty ? undefined : addBody.safeParse(body.value)
  if (parsed && !parsed.success) {
    const issue = parsed.error.issues[0]
    return legacyError(40001, `Bad request: ${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`)
  }
  const personData = parsed?.data.personData ?? undefined
  if (!identifier && !personData) {
    return legacyError(40001, 'Bad request: a query identifier or personData must be provided')
  }
  const refused = flowProblem(state, campaignId)
  if (refused) {
    return refused
  }
  const person = resolvePerson(state, identifier, personData)
  if (person instanceof Response) {
    return person
  }
  if (state.flows.has(campaignId, person.id)) {
    return legacyError(40004, 'Person already in flow')
  }
  state.flows.add(campaignId, {
    personId: person.id,
    variables: parsed?.data.flowVariables ?? {},
    addedAt: state.now(),
    via: 'legacy',
  })
  return empty(200)
}

export function removePersonFromFlow(state: SandboxState, url: URL, campaignId: string): Response {
  const identifier = readIdentifier(url, REMOVE_IDENTIFIERS)
  if (identifier === 'ambiguous' || identifier === undefined || identifier.value.trim() === '') {
    return legacyError(40001, 'Bad request: exactly one of phone, email, externalId must be provided')
  }
  const refused = flowProblem(state, campaignId)
  if (refused) {
    return refused
  }
  const person = find(state, identifier)
  if (!person) {
    return legacyError(40402, 'Person not found')
  }
  if (!state.flows.remove(campaignId, person.id)) {
    return legacyError(40006, 'Person is not in the flow')
  }
  return empty(200)
}
