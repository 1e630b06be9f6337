import { DEFAULTS } from '../../config/defaults'
import type { Logger } from '../../common/log'
import type { InfobipClient } from './client'
import type { MomentsParticipant } from './types'
import { AddReceipts, type FollowResult, type IdentifyBy, identityKey, type MomentsGateway } from './moments-gateway'
import { type BatchCall, sendBatch, type Waiting } from './moments-send'
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
 * - Sending a due batch, and what a refused one means for its participants: moments-send.ts.
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

interface Entry extends Waiting {
  /** What Infobip would match this person by: no two entries of one batch share one. */
  keys: string[]
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
  readonly #tracker: MomentsReportTracker
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
    this.#tracker =
      options.tracker ??
      new MomentsReportTracker({
        fetchReport: (campaignId, operationId) => options.client.getMomentsReport(campaignId, operationId),
        ...(options.log ? { log: options.log } : {}),
      })
    this.#maxBatch = Math.min(MAX_PARTICIPANTS_PER_CALL, Math.max(1, options.maxBatch ?? MAX_PARTICIPANTS_PER_CALL))
    this.#windowMs = options.windowMs ?? DEFAULTS.momentsBatchWindowMs
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 2)
    this.#notifyUrl = options.notifyUrl
    this.#splitBudget = options.splitBudget ?? 32
    this.#log = options.log
    this.#now = options.now ?? Date.now
    this.#receipts = new AddReceipts({
      ...(options.receiptTtlMs !== undefined ? { ttlMs: options.receiptTtlMs } : {}),
      now: this.#now,
    })
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
    return this.#tracker.follow(campaignId, operationId, who, options)
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
    this.#tracker.close()
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
      const sending = sendBatch(this.#call(campaignId), batch.entries, { left: this.#splitBudget }).finally(() => {
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

  #call(campaignId: string): BatchCall {
    return {
      client: this.#client,
      campaignId,
      notifyUrl: this.#notifyUrl,
      log: this.#log,
      onSent: (operationId) => this.#tracker.track(campaignId, operationId, this.#now()),
    }
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
