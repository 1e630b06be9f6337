import { normaliseEmail, normalisePhone } from '../../../contract/identity'
import type { InfobipClient } from './client'
import { InfobipHttpError } from './errors'
import type { MomentsParticipant, ParticipantsReport } from './types'

/**
 * How participants reach Moments and how their fate is read back: the gateway interface the
 * Moments target uses, its unbatched implementation, and the report helpers the batching one
 * (upstreams/infobip/moments-batcher.ts) shares.
 */

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

/**
 * How a participant is named in a report, written the way the rest of the proxy writes an email or
 * phone (contract/identity.ts): Infobip may change the case of an email or the form of a number.
 */
export function identityKey(who: { identifier: string; type: string }): string {
  const identifier = who.type === 'PHONE' ? normalisePhone(who.identifier) : normaliseEmail(who.identifier)
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
