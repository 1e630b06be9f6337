import type { MomentsParticipant } from '../../upstreams/infobip/types'
import { outcomeFromError } from '../from-error'
import { PERSON_FIELD_MESSAGE } from './legacy-flow'
import type { DeliveryOutcome } from '../outcome'
import type { Delivery, PersonData } from '../payloads'
import type { IdentifyBy, MomentsGateway, ParticipantFate } from '../../upstreams/infobip/moments-gateway'

export {
  AddReceipts,
  directMomentsGateway,
  fateOf,
  type FollowResult,
  type IdentifyBy,
  identityKey,
  type MomentsGateway,
  type ParticipantFate,
  reportErrorIsTransient,
} from '../../upstreams/infobip/moments-gateway'

/**
 * The Moments target: adds the person to the flow through a gateway (batched in production), then
 * follows the operation's report, and maps the participant's fate to an outcome.
 */

const ALREADY_IN_FLOW = new Set([
  'REJECTED_PERSON_IN_FLOW',
  'REJECTED_PERSON_ALREADY_IN_FLOW',
  // Someone who went through the welcome flow before and may not re-enter it yet: signed up already.
  'REJECTED_PERSON_NOT_ALLOWED_TO_REENTER',
])

/** Moments identifies a participant by email when there is one, else by phone. */
export function identityOf(data: PersonData): IdentifyBy | null {
  if (data.email) {
    return { identifier: data.email, type: 'EMAIL' }
  }
  if (data.phone) {
    return { identifier: data.phone, type: 'PHONE' }
  }
  return null
}

export function participantOf(
  data: PersonData,
  variables: Record<string, unknown> | undefined,
): MomentsParticipant | null {
  const identifyBy = identityOf(data)
  if (!identifyBy) {
    return null
  }
  return { identifyBy, person: data.person, ...(variables ? { variables } : {}) }
}

/** What a final report entry means for the person and the operator. */
export function outcomeFromFate(
  fate: ParticipantFate,
  participant: MomentsParticipant,
  data: PersonData,
  operationId: string,
): DeliveryOutcome {
  if (fate.status === 'ACCEPTED') {
    return { kind: 'done', status: 'enrolled' }
  }
  const reason = fate.errorReason ?? 'REJECTED'
  if (ALREADY_IN_FLOW.has(reason)) {
    return { kind: 'done', status: 'already_enrolled' }
  }
  if (reason === 'REJECTED_INVALID_CONTACT') {
    const field = participant.identifyBy.type === 'EMAIL' ? data.emailField : data.phoneField
    if (field) {
      const message = participant.identifyBy.type === 'EMAIL' ? PERSON_FIELD_MESSAGE.email : PERSON_FIELD_MESSAGE.phone
      return { kind: 'invalid', fields: { [field]: [message] } }
    }
  }
  return {
    kind: 'failed',
    upstream: 'infobip-moments',
    upstreamCode: reason,
    reason: `participant rejected: ${reason} (operation ${operationId})`,
  }
}

export interface EnrolMomentsOptions {
  /** How long to wait for the participant's fate (the request path's budget); 0: look once. */
  waitMs: number
  /** How long to wait for the add call itself; default waitMs. */
  addWaitMs?: number | undefined
  /** Set when an earlier attempt already added the person: only the report is followed. */
  operationId?: string | undefined
  /** When the operation was started (for its upper bound on age). */
  addedAt?: number | undefined
  /** The delivery's identity, so that a retry joins an add that is still under way. */
  key?: string | undefined
}

const ADD_TIMED_OUT = Symbol('add timed out')

/** One attempt of a Moments `flow` delivery, picking up where its state says the last one got to. */
export function deliverToMoments(
  gateway: MomentsGateway,
  delivery: Extract<Delivery, { target: 'flow' }>,
  flow: { campaignId: string; variables?: Record<string, unknown> | undefined },
  options: { waitMs: number; addWaitMs?: number | undefined },
): Promise<DeliveryOutcome> {
  return enrolMoments(gateway, flow, delivery.payload.personData, {
    ...options,
    operationId: delivery.state.operationId,
    addedAt: delivery.state.addedAt ?? delivery.createdAt,
    // A retry while the first add is still queued joins it instead of sending the person twice.
    // After an operator's retry the earlier add is over: a new key makes a new add, not a replay
    // of the operation that failed (the server remembers answered adds a while).
    key:
      delivery.operatorRetries > 0
        ? `delivery:${delivery.id}:retry:${delivery.operatorRetries}`
        : `delivery:${delivery.id}`,
  })
}

/** Adds the person (batched by the gateway), then follows the operation's report for a bounded time. */
export async function enrolMoments(
  gateway: MomentsGateway,
  flow: { campaignId: string; variables?: Record<string, unknown> | undefined },
  data: PersonData,
  options: EnrolMomentsOptions,
): Promise<DeliveryOutcome> {
  const participant = participantOf(data, flow.variables)
  if (!participant) {
    return { kind: 'failed', upstream: 'infobip-moments', reason: 'no email or phone to identify the participant' }
  }
  const started = Date.now()
  let operationId = options.operationId
  let addedAt = options.addedAt ?? started
  if (!operationId) {
    const adding = gateway.add(flow.campaignId, participant, { key: options.key })
    // Never an unhandled rejection when the add outlives this attempt; the next one joins it by key.
    adding.catch(() => {})
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<typeof ADD_TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(ADD_TIMED_OUT), options.addWaitMs ?? options.waitMs)
    })
    try {
      const answer = await Promise.race([adding, timeout])
      if (answer === ADD_TIMED_OUT) {
        // Still queued or being sent: the outbox comes back for it and joins the same call by key.
        return { kind: 'awaiting', state: { adding: true } }
      }
      operationId = answer
      addedAt = Date.now()
    } catch (error) {
      return outcomeFromError('infobip-moments', error)
    } finally {
      clearTimeout(timer)
    }
  }
  const waitMs = Math.max(0, options.waitMs - (Date.now() - started))
  const result = await gateway.follow(flow.campaignId, operationId, participant.identifyBy, { waitMs, addedAt })
  switch (result.kind) {
    case 'final':
      return outcomeFromFate(result.fate, participant, data, operationId)
    case 'pending':
      return { kind: 'awaiting', state: { operationId, addedAt } }
    case 'missing':
      return {
        kind: 'failed',
        upstream: 'infobip-moments',
        upstreamCode: 'NOT_IN_REPORT',
        reason: `operation ${operationId} finished without naming this participant`,
      }
    case 'expired':
      return {
        kind: 'failed',
        upstream: 'infobip-moments',
        upstreamCode: 'REPORT_TIMEOUT',
        reason: `operation ${operationId} still not final after ${Math.round(result.ageMs / 3_600_000)} h`,
      }
    case 'error':
      return outcomeFromError('infobip-moments', result.error)
  }
}
