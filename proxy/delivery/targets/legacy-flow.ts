import type { FlowConfig } from '../../config/schema'
import type { InfobipClient, LegacyIdentifier } from '../../upstreams/infobip/client'
import { InfobipHttpError } from '../../upstreams/infobip/errors'
import type { Person } from '../../upstreams/infobip/types'
import { outcomeFromError } from '../from-error'
import type { DeliveryOutcome } from '../outcome'
import type { PersonData } from '../payloads'

export const PERSON_FIELD_MESSAGE = {
  email: 'Please check this email address.',
  phone: 'Please check this phone number.',
  value: 'Please check this value.',
  form: 'Please check your details and try again.',
} as const

export type LegacyFlow = Pick<Extract<FlowConfig, { api: 'legacy' }>, 'campaignId' | 'flowVariables' | 'identifyBy'>

/**
 * Legacy "Add Person to Flow" (seed 000). By default: create the person; when Infobip says the
 * person exists (40002), try once more as an upsert identified by email (or phone). With
 * `identifyBy`, always upsert by that query identifier; a submission that lacks it falls back to
 * the default so a signup is not lost over an optional field.
 */
export async function enrolLegacy(client: InfobipClient, flow: LegacyFlow, data: PersonData): Promise<DeliveryOutcome> {
  const chosen = flow.identifyBy ? identifierOf(flow.identifyBy, data) : undefined
  const body = {
    personData: chosen && 'pushRegistrationId' in chosen ? withoutPushRegistration(data.person) : data.person,
    ...(flow.flowVariables ? { flowVariables: flow.flowVariables } : {}),
  }
  if (chosen) {
    return attempt(client, flow.campaignId, chosen, body, data)
  }
  try {
    await client.addLegacyParticipant(flow.campaignId, undefined, body)
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    if (!isCode(error, '40002')) {
      return legacyOutcome(error, data)
    }
  }
  const fallback = identifierOf('email', data) ?? identifierOf('phone', data)
  if (!fallback) {
    return {
      kind: 'failed',
      upstream: 'infobip-flow',
      upstreamCode: '40002',
      reason: 'duplicate person without an email or phone to upsert by',
    }
  }
  return attempt(client, flow.campaignId, fallback, body, data)
}

async function attempt(
  client: InfobipClient,
  campaignId: string,
  identifier: LegacyIdentifier,
  body: { personData: Person; flowVariables?: Record<string, unknown> },
  data: PersonData,
): Promise<DeliveryOutcome> {
  try {
    await client.addLegacyParticipant(campaignId, identifier, body)
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    return legacyOutcome(error, data)
  }
}

/** The query identifier of the given kind, from the mapped people data; undefined when the submission has none. */
export function identifierOf(
  kind: NonNullable<LegacyFlow['identifyBy']>,
  data: PersonData,
): LegacyIdentifier | undefined {
  switch (kind) {
    case 'email':
      return data.email ? { email: data.email } : undefined
    case 'phone':
      return data.phone ? { phone: data.phone } : undefined
    case 'externalId':
      return data.person.externalId ? { externalId: data.person.externalId } : undefined
    case 'pushRegistrationId': {
      // Not a People attribute, so person mapping filed it under customAttributes.
      const value = data.person.customAttributes?.pushRegistrationId
      return typeof value === 'string' && value.trim() !== '' ? { pushRegistrationId: value.trim() } : undefined
    }
  }
}

/** A push registration id travels as the query identifier, not as a custom attribute People does not have. */
function withoutPushRegistration(person: Person): Person {
  if (!person.customAttributes || !('pushRegistrationId' in person.customAttributes)) {
    return person
  }
  const rest = Object.fromEntries(
    Object.entries(person.customAttributes).filter(([key]) => key !== 'pushRegistrationId'),
  )
  const copy: Person = { ...person }
  if (Object.keys(rest).length > 0) {
    copy.customAttributes = rest
  } else {
    delete copy.customAttributes
  }
  return copy
}

function isCode(error: unknown, code: string): error is InfobipHttpError {
  return error instanceof InfobipHttpError && error.upstreamCode === code
}

/** Operator-facing reasons for the legacy error table (upstream-apis.md 2.4); the upstream text is appended. */
const OPERATOR_FAILURES: Record<string, string> = {
  '40001': 'Infobip refused the request as malformed',
  '40002': 'the person data clashes with another People profile (duplicate email, phone or externalId)',
  '40005': 'the flow is inactive: activate it in Infobip (Moments > Flows)',
  '40401': 'the flow does not exist: check flow.campaignId',
  '40402': 'no person matches the identifier and there is not enough person data to create one',
}

/** Maps a legacy Flow API failure (any row of the seed's error table) to an outcome. */
export function legacyOutcome(error: unknown, data: PersonData): DeliveryOutcome {
  if (!(error instanceof InfobipHttpError)) {
    return outcomeFromError('infobip-flow', error)
  }
  const code = error.upstreamCode ?? ''
  if (code === '40004') {
    return { kind: 'done', status: 'already_enrolled' }
  }
  if (code === '40003') {
    // On the field the message names; when it names none, on the form: the person's data, not
    // the setup, was refused.
    const field = fieldOfManipulationError(error.upstreamMessage ?? '', data)
    return field
      ? { kind: 'invalid', fields: { [field.name]: [PERSON_FIELD_MESSAGE[field.kind]] } }
      : { kind: 'invalid', fields: { _form: [PERSON_FIELD_MESSAGE.form] } }
  }
  if (code === '50001') {
    // Infobip's own failure: the data is fine, so keep it and try later.
    return { kind: 'retry', reason: error.message, retryAfterSeconds: error.retryAfterSeconds, unavailable: true }
  }
  const reason = OPERATOR_FAILURES[code]
  if (reason) {
    return {
      kind: 'failed',
      upstream: 'infobip-flow',
      status: error.status,
      upstreamCode: code,
      reason: error.upstreamMessage ? `${reason} (${error.upstreamMessage})` : reason,
    }
  }
  return outcomeFromError('infobip-flow', error)
}

/**
 * The field a 40003 ("Person manipulation failed") message names: "Error updating person: msisdn:
 * Number is invalid." is the phone; "birthDate: …" the field that fed birthDate; null when it names
 * none of the person's attributes.
 */
function fieldOfManipulationError(
  message: string,
  data: PersonData,
): { name: string; kind: 'email' | 'phone' | 'value' } | null {
  const words = new Set(message.toLowerCase().split(/[^a-z0-9_]+/))
  for (const [attribute, name] of Object.entries(data.fieldsByAttribute ?? {})) {
    if (words.has(attribute.toLowerCase())) {
      return { name, kind: 'value' }
    }
  }
  if (data.emailField && words.has('email')) {
    return { name: data.emailField, kind: 'email' }
  }
  if (data.phoneField && ['msisdn', 'phone', 'number'].some((w) => words.has(w))) {
    return { name: data.phoneField, kind: 'phone' }
  }
  return null
}
