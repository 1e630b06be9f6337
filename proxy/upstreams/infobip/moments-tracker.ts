import type { Logger } from '../../common/log'
import { describeUpstreamError } from '../errors'
import type { ParticipantsReport } from './types'
import { type FollowResult, type IdentifyBy, identityKey, reportErrorIsTransient } from './moments-gateway'
import { applyReport, type Operation, OperationTable, rejectedCounts, type Waiter } from './moments-operations'

/**
 * Follows Moments operations to their end: one poller per operation, however many people wait on
 * it, so 3,000 waiting signups in three batches cause a handful of report calls, not thousands.
 * Reports pushed to the notifyUrl hook land here too (`feed`) and end the wait at once. What is
 * known of each operation, and how long it stays known: moments-operations.ts.
 */

export interface ReportTrackerOptions {
  fetchReport(campaignId: string, operationId: string): Promise<ParticipantsReport>
  /** First poll this long after someone starts waiting, then ×1.5 per poll up to maxPollMs. */
  pollMs?: number
  maxPollMs?: number
  /** A report fetched this recently answers a look-once (`waitMs` 0) without another call. */
  freshMs?: number
  /** An operation still not final after this is given up on: its deliveries fail for the operator. */
  maxAgeMs?: number
  /** How long a finished (or idle) operation stays known for deliveries that ask later. */
  retainMs?: number
  /** Upper bound on operations kept in memory; the least recently used idle ones go first. */
  maxOperations?: number
  /** Called once when every participant of an operation is final (the runtime wakes the outbox). */
  onComplete?: (operationId: string) => void
  log?: Logger
  now?: () => number
}

export const DAY_MS = 24 * 3_600_000

export class MomentsReportTracker {
  readonly #fetchReport: ReportTrackerOptions['fetchReport']
  readonly #pollMs: number
  readonly #maxPollMs: number
  readonly #freshMs: number
  readonly #maxAgeMs: number
  readonly #onComplete: ((operationId: string) => void) | undefined
  readonly #log: Logger | undefined
  readonly #now: () => number
  readonly #operations: OperationTable
  #closed = false
  /** Report calls made, shown by stats() to tests and the benchmark. */
  #fetches = 0

  constructor(options: ReportTrackerOptions) {
    this.#fetchReport = options.fetchReport
    this.#pollMs = options.pollMs ?? 250
    this.#maxPollMs = options.maxPollMs ?? 5_000
    this.#freshMs = options.freshMs ?? 1_000
    this.#maxAgeMs = options.maxAgeMs ?? DAY_MS
    this.#operations = new OperationTable({
      pollMs: this.#pollMs,
      retainMs: options.retainMs ?? 10 * 60_000,
      maxOperations: options.maxOperations ?? 1_000,
    })
    this.#onComplete = options.onComplete
    this.#log = options.log
    this.#now = options.now ?? Date.now
  }

  /** Makes an operation known as soon as its add call answered (so its age counts from then). */
  track(campaignId: string, operationId: string, addedAt: number): void {
    this.#operation(campaignId, operationId, addedAt)
  }

  /** Waits up to `waitMs` for the participant's fate; with 0, looks once (one shared call if stale). */
  async follow(
    campaignId: string,
    operationId: string,
    who: IdentifyBy,
    options: { waitMs: number; addedAt: number },
  ): Promise<FollowResult> {
    const op = this.#operation(campaignId, operationId, options.addedAt)
    const key = identityKey(who)
    const known = this.#resultOf(op, key)
    if (known) {
      return known
    }
    if (options.waitMs <= 0 || this.#closed) {
      if (this.#now() - op.fetchedAt >= this.#freshMs) {
        await this.#refresh(op)
      }
      return this.#resultOf(op, key) ?? { kind: 'pending' }
    }
    return new Promise<FollowResult>((resolve) => {
      const timer = setTimeout(() => waiter.settle(this.#resultOf(op, key) ?? { kind: 'pending' }), options.waitMs)
      const waiter: Waiter = {
        key,
        settle: (result) => {
          clearTimeout(timer)
          op.waiters.delete(waiter)
          // Nobody left waiting: stop polling; the outbox worker looks again when it is due.
          if (op.waiters.size === 0 && op.timer) {
            clearTimeout(op.timer)
            op.timer = null
          }
          resolve(result)
        },
      }
      op.waiters.add(waiter)
      this.#schedule(op)
    })
  }

  /** A report pushed to the notifyUrl hook: same shape as the polled one. */
  feed(report: ParticipantsReport): void {
    const op = this.#operation(
      report.campaignId === undefined ? '' : String(report.campaignId),
      report.operationId,
      this.#now(),
    )
    op.error = null
    this.#apply(op, report)
    this.#settleWaiters(op)
  }

  /** Operations known and waiters waiting, for the benchmark and tests. */
  stats(): { operations: number; waiters: number; fetches: number } {
    let waiters = 0
    for (const op of this.#operations.values()) {
      waiters += op.waiters.size
    }
    return { operations: this.#operations.size, waiters, fetches: this.#fetches }
  }

  /** Stops polling; whoever still waits is told "pending" (the outbox keeps the operationId). */
  close(): void {
    this.#closed = true
    for (const op of this.#operations.values()) {
      if (op.timer) {
        clearTimeout(op.timer)
        op.timer = null
      }
      for (const waiter of [...op.waiters]) {
        waiter.settle({ kind: 'pending' })
      }
    }
  }

  #operation(campaignId: string, operationId: string, addedAt: number): Operation {
    return this.#operations.touch(campaignId, operationId, addedAt, this.#now())
  }

  #resultOf(op: Operation, key: string): FollowResult | null {
    const fate = op.fates.get(key)
    if (fate) {
      return { kind: 'final', fate }
    }
    // A failure counts only while fresh: the next look asks again (credentials may have been fixed).
    if (op.error && this.#now() - op.fetchedAt < this.#freshMs) {
      return { kind: 'error', error: op.error }
    }
    if (op.complete) {
      return { kind: 'missing' }
    }
    const ageMs = this.#now() - op.addedAt
    return ageMs > this.#maxAgeMs ? { kind: 'expired', ageMs } : null
  }

  #refresh(op: Operation): Promise<void> {
    op.inflight ??= (async () => {
      this.#fetches += 1
      try {
        const report = await this.#fetchReport(op.campaignId, op.operationId)
        op.error = null
        this.#apply(op, report)
      } catch (error) {
        const err = describeUpstreamError(error)
        if (reportErrorIsTransient(error)) {
          op.error = null
          this.#log?.debug({ operationId: op.operationId, err }, 'moments report not available yet')
        } else {
          op.error = error
          this.#log?.warn({ operationId: op.operationId, err }, 'moments report cannot be read')
        }
      } finally {
        op.fetchedAt = this.#now()
        op.inflight = null
      }
      this.#settleWaiters(op)
    })()
    return op.inflight
  }

  #apply(op: Operation, report: ParticipantsReport): void {
    if (!applyReport(op, report, this.#now())) {
      return
    }
    if (op.timer) {
      clearTimeout(op.timer)
      op.timer = null
    }
    this.#log?.info(
      {
        operationId: op.operationId,
        campaignId: op.campaignId,
        participants: op.fates.size,
        rejected: rejectedCounts(op),
      },
      'moments operation finished',
    )
    try {
      this.#onComplete?.(op.operationId)
    } catch (error) {
      const err = error instanceof Error ? error.message : String(error)
      this.#log?.error({ err, operationId: op.operationId }, 'moments completion hook failed')
    }
  }

  #settleWaiters(op: Operation): void {
    for (const waiter of [...op.waiters]) {
      const result = this.#resultOf(op, waiter.key)
      if (result) {
        waiter.settle(result)
      }
    }
    this.#schedule(op)
  }

  #schedule(op: Operation): void {
    if (this.#closed || op.timer || op.inflight || op.complete || op.waiters.size === 0) {
      return
    }
    const delay = op.delayMs
    op.delayMs = Math.min(this.#maxPollMs, Math.round(op.delayMs * 1.5))
    op.timer = setTimeout(() => {
      op.timer = null
      void this.#refresh(op)
    }, delay)
  }
}
