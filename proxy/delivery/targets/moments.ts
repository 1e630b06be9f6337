import { identityOf, type PersonData } from '../../signup/person'
import type { InfobipClient } from '../../upstreams/infobip/client'
import { InfobipHttpError } from '../../upstreams/infobip/errors'
import type { MomentsParticipant, ParticipantsReport } from '../../upstreams/infobip/types'
import { outcomeFromError } from '../from-error'
import { PERSON_FIELD_MESSAGE } from './legacy-flow'
import type { DeliveryOutcome } from '../outcome'

export type IdentifyBy = MomentsParticipant['identifyBy']

/** What the report says about one participant once it is final. */
export interface ParticipantFate {
  status: 'ACCEPTED' | 'REJECTED'
  errorReason?: string | undefined
}

/** Where following one participant through an operation's report got to. */
export type FollowResult =
  | { kind: 'final'; fate: ParticipantFate }
  | { kind: 'pending' }
  /** The operation is finished and does not name this participant: waiting longer will not help. */
  | { kind: 'missing' }
  /** Still not final after the upper bound on an operation's age (maxAgeMs). */
  | { kind: 'expired'; ageMs: number }
  /** The report cannot be read and waiting will not change that (401, 403, a body we do not understand). */
  | { kind: 'error'; error: unknown }

/** How participants reach Moments; the batching gateway coalesces many people into one call. */
export interface MomentsGateway {
  /**
   * Resolves with the operationId of the call that carried this participant. `key` names the
   * delivery: adding the same key again while its call is under way (or shortly after) answers the
   * same operation instead of sending the person twice.
   */
  add(campaignId: string, participant: MomentsParticipant, options?: { key?: string | undefined }): Promise<string>
  /** Waits up to `waitMs` for the participant's fate in the operation's report. */
  follow(
    campaignId: string,
    operationId: string,
    who: IdentifyBy,
    options: { waitMs: number; addedAt: number },
  ): Promise<FollowResult>
  close?(): Promise<void>
}

const ALREADY_IN_FLOW = new Set([
  'REJECTED_PERSON_IN_FLOW',
  'REJECTED_PERSON_ALREADY_IN_FLOW',
  // Someone who went through the welcome flow before and may not re-enter it yet: signed up already.
  'REJECTED_PERSON_NOT_ALLOWED_TO_REENTER',
])

/** How a participant is named in a report: Infobip may change the case of an email. */
export function identityKey(who: { identifier: string; type: string }): string {
  const identifier = who.type === 'PHONE' ? who.identifier.replace(/\D/g, '') : who.identifier.trim().toLowerCase()
  return `${who.type}:${identifier}`
}

/** A report entry's fate, or undefined while it is PENDING. */
export function fateOf(entry: ParticipantsReport['participants'][number]): ParticipantFate | undefined {
  return entry.status === 'PENDING' ? undefined : { status: entry.status, errorReason: entry.errorReason }
}

/**
 * Remembers adds by delivery key, so that a retry of a delivery whose add is still under way (or
 * answered a moment ago) gets the same operation instead of sending the person a second time.
 * Failed adds are forgotten at once: the next attempt must send again.
 */
export class AddReceipts {
  readonly #receipts = new Map<string, { promise: Promise<string>; at: number }>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000
    this.#now = options.now ?? Date.now
  }

  run(key: string | undefined, add: () => Promise<string>): Promise<string> {
    this.#forgetOld()
    const known = key === undefined ? undefined : this.#receipts.get(key)
    if (known) {
      return known.promise
    }
    const promise = add()
    if (key !== undefined) {
      const receipt = { promise, at: this.#now() }
      this.#receipts.set(key, receipt)
      promise.then(
        () => {
          receipt.at = this.#now()
        },
        () => {
          if (this.#receipts.get(key) === receipt) {
            this.#receipts.delete(key)
          }
        },
      )
    }
    return promise
  }

  #forgetOld(): void {
    const oldest = this.#now() - this.#ttlMs
    // Map order is insertion order, so the oldest come first.
    for (const [key, receipt] of this.#receipts) {
      if (receipt.at >= oldest) {
        break
      }
      this.#receipts.delete(key)
    }
  }
}

/**
 * One call per participant and one report poll per waiting person: the behaviour before
 * batching, kept as the benchmark's baseline and as an escape hatch.
 */
export function directMomentsGateway(client: InfobipClient, options: { pollMs?: number } = {}): MomentsGateway {
  const pollMs = options.pollMs ?? 150
  const receipts = new AddReceipts()
  return {
    add: (campaignId, participant, { key } = {}) =>
      receipts.run(key, () => client.addMomentsParticipants(campaignId, { participants: [participant] })),
    async follow(campaignId, operationId, who, { waitMs }) {
      const deadline = Date.now() + waitMs
      const key = identityKey(who)
      for (;;) {
        try {
          const report = await client.getMomentsReport(campaignId, operationId)
          const entry = report.participants.find((p) => identityKey(p.identifyBy) === key)
          const fate = entry ? fateOf(entry) : undefined
          if (fate) {
            return { kind: 'final', fate }
          }
        } catch (error) {
          if (!reportErrorIsTransient(error)) {
            return { kind: 'error', error }
          }
        }
        if (Date.now() + pollMs > deadline) {
          return { kind: 'pending' }
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs))
      }
    },
  }
}

/** A report that is not there yet, or a busy upstream, is no reason to give up on an operation. */
export function reportErrorIsTransient(error: unknown): boolean {
  return !(error instanceof InfobipHttpError) || error.transient || error.status === 404
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

/** A participant's fate read out of a whole report (PENDING or absent: awaiting). */
export function outcomeFromReport(
  report: ParticipantsReport,
  participant: MomentsParticipant,
  data: PersonData,
): DeliveryOutcome {
  const key = identityKey(participant.identifyBy)
  const entry = report.participants.find((p) => identityKey(p.identifyBy) === key)
  const fate = entry ? fateOf(entry) : undefined
  return fate
    ? outcomeFromFate(fate, participant, data, report.operationId)
    : { kind: 'awaiting', state: { operationId: report.operationId } }
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
