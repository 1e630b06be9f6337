import type { Logger } from '../../log'
import type { InfobipClient } from './client'
import { describeUpstreamError, UpstreamCallError } from '../errors'
import { InfobipHttpError } from './errors'
import type { MomentsParticipant } from './types'
import {
  AddReceipts,
  type FollowResult,
  type IdentifyBy,
  identityKey,
  type MomentsGateway,
} from '../../delivery/targets/moments'
import { MomentsReportTracker } from './moments-tracker'

/**
 * Coalesces participants per campaign into `POST /moments/1/flows/{campaignId}/participants`
 * calls of up to 1,000 (Infobip: 1–1000 per request, 10 requests per second per account).
 *
 * - A batch is sent when full or `windowMs` after its first participant.
 * - At most `maxInFlight` calls per campaign are under way; a batch that is due meanwhile keeps
 *   taking participants, so batches grow by themselves when the account is busy.
 * - Infobip merges people whose identifiers repeat inside one request. A participant that shares an
 *   identifier (identifyBy, an email, a phone, externalId) with one already waiting goes to the
 *   next batch instead, never into the same one.
 * - A failed call rejects every caller with its error: transient ones go back to the outbox as
 *   retries. A 400 is about the data of some participant, not the batch: the one the message names
 *   (`participants.[i]`) is refused alone and the rest are sent again; when none is named the
 *   batch is halved until the bad ones are alone. Only they fail (for the operator, data kept);
 *   a split budget bounds the extra calls, past it the rest retry later instead of failing.
 */

export interface MomentsBatcherOptions {
  client: Pick<InfobipClient, 'addMomentsParticipants' | 'getMomentsReport'>
  /** Follows the operations; default: one of its own on the same client. */
  tracker?: MomentsReportTracker
  /** Participants per call, 1–1000. */
  maxBatch?: number
  /** How long the first participant of a batch waits for company. */
  windowMs?: number
  /** Calls per campaign under way at once. */
  maxInFlight?: number
  /** Sent as `notifyUrl` with every call (already carrying its secret). */
  notifyUrl?: string | undefined
  /** Extra calls allowed to isolate the participants a 400 is about, per batch. */
  splitBudget?: number
  /** How long an add's operationId is remembered by key, for a retry that comes after the answer. */
  receiptTtlMs?: number
  log?: Logger
  now?: () => number
}

/** The batch was refused for another participant's data and the split budget ran out: try again later. */
export class BatchSplitError extends UpstreamCallError {
  override name = 'BatchSplitError' as const
  constructor(cause: unknown) {
    super('infobip', 'batch refused for another participant and not split further; will be sent again', {
      transient: true,
      cause,
    })
  }
}

interface Entry {
  participant: MomentsParticipant
  keys: string[]
  resolve(operationId: string): void
  reject(error: unknown): void
}

interface Batch {
  entries: Entry[]
  keys: Set<string>
  due: boolean
  timer: ReturnType<typeof setTimeout> | null
}

interface Campaign {
  waiting: Batch[]
  inFlight: number
}

export const MAX_PARTICIPANTS_PER_CALL = 1_000

export class MomentsBatcher implements MomentsGateway {
  readonly tracker: MomentsReportTracker
  readonly #client: MomentsBatcherOptions['client']
  readonly #maxBatch: number
  readonly #windowMs: number
  readonly #maxInFlight: number
  readonly #notifyUrl: string | undefined
  readonly #splitBudget: number
  readonly #log: Logger | undefined
  readonly #now: () => number
  readonly #campaigns = new Map<string, Campaign>()
  readonly #receipts: AddReceipts
  readonly #sending = new Set<Promise<void>>()

  constructor(options: MomentsBatcherOptions) {
    this.#client = options.client
    this.tracker =
      options.tracker ??
      new MomentsReportTracker({
        fetchReport: (campaignId, operationId) => options.client.getMomentsReport(campaignId, operationId),
        ...(options.log ? { log: options.log } : {}),
      })
    this.#maxBatch = Math.min(MAX_PARTICIPANTS_PER_CALL, Math.max(1, options.maxBatch ?? MAX_PARTICIPANTS_PER_CALL))
    this.#windowMs = options.windowMs ?? 150
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 2)
    this.#notifyUrl = options.notifyUrl
    this.#splitBudget = options.splitBudget ?? 32
    this.#log = options.log
    this.#now = options.now ?? Date.now
    this.#receipts = new AddReceipts({ ttlMs: options.receiptTtlMs ?? 10 * 60_000, now: this.#now })
  }

  add(
    campaignId: string,
    participant: MomentsParticipant,
    options: { key?: string | undefined } = {},
  ): Promise<string> {
    return this.#receipts.run(
      options.key,
      () =>
        new Promise<string>((resolve, reject) => {
          this.#enqueue(campaignId, { participant, keys: conflictKeys(participant), resolve, reject })
        }),
    )
  }

  follow(
    campaignId: string,
    operationId: string,
    who: IdentifyBy,
    options: { waitMs: number; addedAt: number },
  ): Promise<FollowResult> {
    return this.tracker.follow(campaignId, operationId, who, options)
  }

  /** Participants waiting for a call, for the benchmark and tests. */
  get waiting(): number {
    let count = 0
    for (const campaign of this.#campaigns.values()) {
      for (const batch of campaign.waiting) {
        count += batch.entries.length
      }
    }
    return count
  }

  /** Sends whatever waits now and lets the calls under way finish (bounded), then stops the tracker. */
  async close(timeoutMs = 5_000): Promise<void> {
    for (const [campaignId, campaign] of this.#campaigns) {
      for (const batch of campaign.waiting) {
        batch.due = true
      }
      this.#pump(campaignId)
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      (async () => {
        while (this.#sending.size > 0) {
          await Promise.allSettled([...this.#sending])
        }
      })(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
    this.tracker.close()
  }

  #enqueue(campaignId: string, entry: Entry): void {
    let campaign = this.#campaigns.get(campaignId)
    if (!campaign) {
      campaign = { waiting: [], inFlight: 0 }
      this.#campaigns.set(campaignId, campaign)
    }
    let batch = campaign.waiting.find(
      (b) => b.entries.length < this.#maxBatch && !entry.keys.some((k) => b.keys.has(k)),
    )
    if (!batch) {
      const created: Batch = { entries: [], keys: new Set(), due: false, timer: null }
      created.timer = setTimeout(() => {
        created.timer = null
        created.due = true
        this.#pump(campaignId)
      }, this.#windowMs)
      campaign.waiting.push(created)
      batch = created
    }
    batch.entries.push(entry)
    for (const key of entry.keys) {
      batch.keys.add(key)
    }
    if (batch.entries.length >= this.#maxBatch) {
      batch.due = true
      this.#pump(campaignId)
    }
  }

  #pump(campaignId: string): void {
    const campaign = this.#campaigns.get(campaignId)
    if (!campaign) {
      return
    }
    while (campaign.inFlight < this.#maxInFlight) {
      const index = campaign.waiting.findIndex((b) => b.due)
      if (index < 0) {
        break
      }
      const [batch] = campaign.waiting.splice(index, 1)
      if (!batch) {
        break
      }
      if (batch.timer) {
        clearTimeout(batch.timer)
      }
      campaign.inFlight += 1
      const sending = this.#send(campaignId, batch.entries, { left: this.#splitBudget }).finally(() => {
        this.#sending.delete(sending)
        campaign.inFlight -= 1
        this.#pump(campaignId)
      })
      this.#sending.add(sending)
    }
    if (campaign.inFlight === 0 && campaign.waiting.length === 0) {
      this.#campaigns.delete(campaignId)
    }
  }

  async #send(campaignId: string, entries: Entry[], budget: { left: number }): Promise<void> {
    let operationId: string
    try {
      operationId = await this.#client.addMomentsParticipants(campaignId, {
        participants: entries.map((e) => e.participant),
        ...(this.#notifyUrl ? { notifyUrl: this.#notifyUrl } : {}),
      })
    } catch (error) {
      await this.#failed(campaignId, entries, budget, error)
      return
    }
    this.tracker.track(campaignId, operationId, this.#now())
    this.#log?.debug({ campaignId, operationId, participants: entries.length }, 'moments participants sent')
    for (const entry of entries) {
      entry.resolve(operationId)
    }
  }

  async #failed(campaignId: string, entries: Entry[], budget: { left: number }, error: unknown): Promise<void> {
    const about = error instanceof InfobipHttpError ? error.upstreamMessage : undefined
    if (!(error instanceof InfobipHttpError) || error.status !== 400 || entries.length === 1) {
      this.#log?.warn(
        { campaignId, participants: entries.length, err: describeUpstreamError(error) },
        'moments participants call failed',
      )
      for (const entry of entries) {
        entry.reject(error)
      }
      return
    }
    if (budget.left <= 0) {
      this.#log?.warn(
        { campaignId, participants: entries.length, upstreamMessage: about },
        'moments batch refused; split budget spent, will retry',
      )
      const retry = new BatchSplitError(error)
      for (const entry of entries) {
        entry.reject(retry)
      }
      return
    }
    budget.left -= 1
    const index = namedParticipant(about, entries.length)
    if (index !== undefined) {
      entries[index]?.reject(error)
      const rest = entries.filter((_, i) => i !== index)
      this.#log?.warn(
        { campaignId, index, upstreamMessage: about },
        'moments batch refused for one participant; sending the rest again',
      )
      if (rest.length > 0) {
        await this.#send(campaignId, rest, budget)
      }
      return
    }
    const half = Math.ceil(entries.length / 2)
    this.#log?.warn(
      { campaignId, participants: entries.length, upstreamMessage: about },
      'moments batch refused; splitting it',
    )
    await Promise.all([
      this.#send(campaignId, entries.slice(0, half), budget),
      this.#send(campaignId, entries.slice(half), budget),
    ])
  }
}

/** Everything Infobip would match people by within one request (upstream-apis.md 2.1). */
function conflictKeys(participant: MomentsParticipant): string[] {
  const keys = new Set([identityKey(participant.identifyBy)])
  const info = participant.person?.contactInformation
  for (const email of info?.email ?? []) {
    keys.add(identityKey({ type: 'EMAIL', identifier: email.address }))
  }
  for (const phone of info?.phone ?? []) {
    keys.add(identityKey({ type: 'PHONE', identifier: phone.number }))
  }
  if (participant.person?.externalId) {
    keys.add(`EXTERNAL_ID:${participant.person.externalId}`)
  }
  return [...keys]
}

/** The index in "Field participants.[3].person.firstName …", when it is a participant of this batch. */
export function namedParticipant(message: string | undefined, count: number): number | undefined {
  const match = /participants\.?\[(\d+)\]/.exec(message ?? '')
  const index = match ? Number(match[1]) : NaN
  return Number.isInteger(index) && index >= 0 && index < count ? index : undefined
}
