import { identityOf, type PersonData } from '../people/person'
import type { InfobipClient } from '../upstream/infobip-client'
import { InfobipHttpError } from '../upstream/infobip-errors'
import type { MomentsParticipant, ParticipantsReport } from '../upstream/infobip-types'
import { outcomeFromError } from './from-error'
import { PERSON_FIELD_MESSAGE } from './legacy'
import type { DeliveryOutcome } from './outcome'

/** How participants reach Moments; the batching gateway coalesces many people into one call. */
export interface MomentsGateway {
  /** Resolves with the operationId of the call that carried this participant. */
  add(campaignId: string, participant: MomentsParticipant): Promise<string>
  report(campaignId: string, operationId: string): Promise<ParticipantsReport>
}

/** One call per participant: the simplest gateway, used where no batching is configured. */
export function directMomentsGateway(client: InfobipClient): MomentsGateway {
  return {
    add: (campaignId, participant) => client.addMomentsParticipants(campaignId, { participants: [participant] }),
    report: (campaignId, operationId) => client.getMomentsReport(campaignId, operationId),
  }
}

const ALREADY_IN_FLOW = new Set(['REJECTED_PERSON_IN_FLOW', 'REJECTED_PERSON_ALREADY_IN_FLOW'])

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

/** Reads one participant's fate out of an operation report. */
export function outcomeFromReport(report: ParticipantsReport, participant: MomentsParticipant, data: PersonData): DeliveryOutcome {
  const wanted = participant.identifyBy.identifier.toLowerCase()
  const entry = report.participants.find(
    (p) => p.identifyBy.type === participant.identifyBy.type && p.identifyBy.identifier.toLowerCase() === wanted,
  )
  if (!entry || entry.status === 'PENDING') {
    return { kind: 'awaiting', state: { operationId: report.operationId } }
  }
  if (entry.status === 'ACCEPTED') {
    return { kind: 'done', status: 'enrolled' }
  }
  const reason = entry.errorReason ?? 'REJECTED'
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
  return { kind: 'failed', upstream: 'infobip-moments', upstreamCode: reason, reason: `participant rejected: ${reason}` }
}

/** Adds the person, then follows the operation's report until it is final or `waitMs` has passed. */
export async function enrolMoments(
  gateway: MomentsGateway,
  flow: { campaignId: string; variables?: Record<string, unknown> | undefined },
  data: PersonData,
  options: { waitMs: number; pollMs?: number; operationId?: string | undefined },
): Promise<DeliveryOutcome> {
  const participant = participantOf(data, flow.variables)
  if (!participant) {
    return { kind: 'failed', upstream: 'infobip-moments', reason: 'no email or phone to identify the participant' }
  }
  let operationId = options.operationId
  if (!operationId) {
    try {
      operationId = await gateway.add(flow.campaignId, participant)
    } catch (error) {
      return outcomeFromError('infobip-moments', error)
    }
  }
  return followReport(gateway, flow.campaignId, operationId, participant, data, options)
}

async function followReport(
  gateway: MomentsGateway,
  campaignId: string,
  operationId: string,
  participant: MomentsParticipant,
  data: PersonData,
  options: { waitMs: number; pollMs?: number },
): Promise<DeliveryOutcome> {
  const deadline = Date.now() + options.waitMs
  const pollMs = options.pollMs ?? 150
  for (;;) {
    let outcome: DeliveryOutcome
    try {
      outcome = outcomeFromReport(await gateway.report(campaignId, operationId), participant, data)
    } catch (error) {
      // A report that is not there yet, or a busy upstream, is no reason to send the person again.
      const transient = !(error instanceof InfobipHttpError) || error.transient || error.status === 404
      outcome = transient ? { kind: 'awaiting', state: { operationId } } : outcomeFromError('infobip-moments', error)
    }
    if (outcome.kind !== 'awaiting' || Date.now() + pollMs > deadline) {
      return outcome
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
