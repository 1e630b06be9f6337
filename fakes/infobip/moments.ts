// Moments Flow API: asynchronous add-participants and its report.
import { randomUUID } from 'node:crypto'
import { isPlainObject, json, momentsError, problem, readJson } from './http'
import { contactProblem, isValidEmail, normalizePhone, personDataSchema } from './people'
import type { ChannelKind, PersonPayload } from './people'
import { reportOf, upsertPerson } from './state'
import type { ChannelIdentity, ChannelType, ParticipantOutcome, RejectReason, SandboxState } from './state'

const IDENTIFY_TYPES: readonly string[] = ['EMAIL', 'PHONE', 'FACEBOOK', 'LINE', 'APPLE_BUSINESS_CHAT']
const CHANNEL_OF: Partial<Record<ChannelType, ChannelKind>> = {
  FACEBOOK: 'facebook',
  LINE: 'line',
  APPLE_BUSINESS_CHAT: 'appleBusinessChat',
}

interface Participant {
  identifyBy: ChannelIdentity
  variables: Record<string, unknown>
  person: PersonPayload | undefined
}

interface AddRequest {
  participants: Participant[]
  notifyUrl?: string
  callbackData?: string
}

const badRequest = (message: string) => momentsError(400, 400, message)

// Mirrors Spring's order: unreadable JSON and wrong JSON types are problem documents, bean
// validation failures are ExceptionResponse with errorCode 400.
function parseAddRequest(value: unknown, empty: boolean, path: string): AddRequest | Response {
  if (!isPlainObject(value)) {
    return empty ? problem(path, 'Required request body is missing') : problem(path)
  }
  const { participants, notifyUrl, callbackData } = value
  if (participants == null) {
    return badRequest('Mandatory fields are absent: [participants]')
  }
  if (!Array.isArray(participants) || (notifyUrl != null && typeof notifyUrl !== 'string')) {
    return problem(path)
  }
  if (callbackData != null && typeof callbackData !== 'string') {
    return problem(path)
  }
  if (participants.length < 1 || participants.length > 1000) {
    return badRequest(`Number of participants must be between 1 and 1000. Received: ${participants.length}`)
  }
  if (notifyUrl != null && notifyUrl.length > 1000) {
    return badRequest('Field notifyUrl size must be between 0 and 1000')
  }
  if (callbackData != null && callbackData.length > 2000) {
    return badRequest('Field callbackData size must be between 0 and 2000')
  }
  const parsed: Participant[] = []
  for (const [i, p] of participants.entries()) {
    const one = parseParticipant(p, i, path)
    if (one instanceof Response) {
      return one
    }
    parsed.push(one)
  }
  return {
    participants: parsed,
    ...(notifyUrl == null ? {} : { notifyUrl }),
    ...(callbackData == null ? {} : { callbackData }),
  }
}

function parseParticipant(p: unknown, i: number, path: string): Participant | Response {
  const at = `participants.[${i}]`
  if (!isPlainObject(p) || (p.identifyBy != null && !isPlainObject(p.identifyBy))) {
    return problem(path)
  }
  const { identifyBy, variables, person } = p
  if (identifyBy == null) {
    return badRequest(`Field ${at}.identifyBy must not be null`)
  }
  const { identifier, type, sender } = identifyBy
  if (typeof type !== 'string' || !IDENTIFY_TYPES.includes(type)) {
    return badRequest(`Field ${at}.identifyBy.type must not be null or unsupported value`)
  }
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    return badRequest(`Field ${at}.identifyBy.identifier must not be null or blank`)
  }
  const needsSender = type !== 'EMAIL' && type !== 'PHONE'
  if (needsSender && (typeof sender !== 'string' || sender === '')) {
    return badRequest(`Field ${at}.identifyBy.sender must not be null for type ${type}`)
  }
  if (variables != null && !isPlainObject(variables)) {
    return problem(path)
  }
  const personData = person == null ? undefined : personDataSchema.safeParse(person)
  if (personData && !personData.success) {
    const issue = personData.error.issues[0]
    return badRequest(`Field ${at}.person.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`)
  }
  return {
    identifyBy: {
      identifier,
      type: type as ChannelType,
      ...(typeof sender === 'string' && sender !== '' ? { sender } : {}),
    },
    variables: variables ?? {},
    person: personData?.data,
  }
}

function rejection(state: SandboxState, p: Participant): RejectReason | undefined {
  const { type, identifier } = p.identifyBy
  if (type === 'EMAIL' && !isValidEmail(identifier)) {
    return 'REJECTED_INVALID_CONTACT'
  }
  if (type === 'PHONE' && normalizePhone(identifier) === undefined) {
    return 'REJECTED_INVALID_CONTACT'
  }
  if (p.person && contactProblem(p.person)) {
    return 'REJECTED_INVALID_CONTACT'
  }
  const known = state.knownCustomAttributes
  const attributes = Object.keys(p.person?.customAttributes ?? {})
  if (known && attributes.some((name) => !known.has(name))) {
    return 'REJECTED_ATTRIBUTE_MISSED'
  }
  return undefined
}

function enrol(state: SandboxState, campaignId: string, p: Participant): ParticipantOutcome {
  // A reason scripted by the test (InfobipFake.rejectNext) wins: the account-side ones
  // (credits, re-entry rules, Infobip's own errors) cannot be derived from the request.
  const rejected = state.rejections.take(p.identifyBy.identifier) ?? rejection(state, p)
  if (rejected) {
    return { identifyBy: p.identifyBy, status: 'REJECTED', errorReason: rejected }
  }
  const { type, identifier, sender } = p.identifyBy
  const info = p.person?.contactInformation
  const data: PersonPayload = {
    ...p.person,
    contactInformation: {
      ...info,
      email: [...(info?.email ?? []), ...(type === 'EMAIL' ? [{ address: identifier }] : [])],
      phone: [...(info?.phone ?? []), ...(type === 'PHONE' ? [{ number: identifier }] : [])],
    },
  }
  const channel = CHANNEL_OF[type]
  const contact = { applicationId: sender ?? '', userId: identifier }
  const byChannel = channel ? state.people.findByChannel(channel, contact) : undefined
  const person = upsertPerson(state, data, 'API', byChannel)
  if (channel) {
    state.people.addChannel(person, channel, contact)
  }
  if (state.flows.has(campaignId, person.id)) {
    return { identifyBy: p.identifyBy, status: 'REJECTED', errorReason: 'REJECTED_PERSON_IN_FLOW' }
  }
  state.flows.add(campaignId, { personId: person.id, variables: p.variables, addedAt: state.now(), via: 'moments' })
  return { identifyBy: p.identifyBy, status: 'ACCEPTED' }
}

export async function addParticipants(
  state: SandboxState,
  request: Request,
  path: string,
  campaignId: string,
): Promise<Response> {
  const body = await readJson(request)
  if (!body.ok) {
    return problem(path)
  }
  if (!/^\d{1,18}$/.test(campaignId)) {
    return problem(path, `Failed to convert 'campaignId' with value: '${campaignId}'`)
  }
  const parsed = parseAddRequest(body.value, body.empty, path)
  if (parsed instanceof Response) {
    return parsed
  }
  const flow = state.flows.get(campaignId)
  if (!flow || flow.status !== 'ACTIVE') {
    return momentsError(404, 40401, `Could not find active flow for campaign ${campaignId}`)
  }
  const operation = {
    operationId: randomUUID(),
    campaignId,
    createdAt: state.now(),
    outcomes: parsed.participants.map((p) => enrol(state, campaignId, p)),
    ...(parsed.callbackData === undefined ? {} : { callbackData: parsed.callbackData }),
    ...(parsed.notifyUrl === undefined ? {} : { notifyUrl: parsed.notifyUrl }),
  }
  state.operations.set(operation.operationId, operation)
  const { notifyUrl } = parsed
  if (notifyUrl !== undefined) {
    const delay = state.reportDelayMs
    state.schedule(delay, () => state.notify(notifyUrl, reportOf(operation, operation.createdAt + delay, delay)))
  }
  return json(200, { operationId: operation.operationId })
}

export function participantsReport(state: SandboxState, url: URL, campaignId: string): Response {
  const operationId = url.searchParams.get('operationId')
  if (operationId === null || operationId === '') {
    return problem(
      url.pathname,
      "Required request parameter 'operationId' for method parameter type String is not present",
    )
  }
  const operation = state.operations.get(operationId)
  if (!operation || operation.campaignId !== campaignId) {
    // The spec documents this 404 as application/json without a schema or example: nothing is invented.
    return new Response(null, { status: 404, headers: { 'content-type': 'application/json;charset=UTF-8' } })
  }
  return json(200, reportOf(operation, state.now(), state.reportDelayMs))
}
