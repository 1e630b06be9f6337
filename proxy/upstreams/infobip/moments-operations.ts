import type { ParticipantsReport } from './types'
import { type FollowResult, fateOf, identityKey, type ParticipantFate } from './moments-gateway'

/**
 * The report tracker's bookkeeping (moments-tracker.ts polls and settles the waits): what is known
 * of each Moments operation, the fates its reports gave, and which operations stay in memory.
 */

/** Someone waiting for the fate of the participant with this identity key. */
export interface Waiter {
  key: string
  settle(result: FollowResult): void
}

export interface Operation {
  campaignId: string
  operationId: string
  addedAt: number
  fates: Map<string, ParticipantFate>
  complete: boolean
  /** When the last report arrived (polled or pushed); 0: never. */
  fetchedAt: number
  usedAt: number
  inflight: Promise<void> | null
  /** The last fetch failed in a way that waiting will not fix. */
  error: unknown
  waiters: Set<Waiter>
  timer: ReturnType<typeof setTimeout> | null
  /** The wait before the next poll. */
  delayMs: number
}

export interface OperationTableOptions {
  /** The first poll's delay of a new operation. */
  pollMs: number
  /** How long an idle operation stays known for deliveries that ask later. */
  retainMs: number
  /** Upper bound on operations kept; the least recently used idle ones go first. */
  maxOperations: number
}

/** The operations known, least recently used first. */
export class OperationTable {
  readonly #operations = new Map<string, Operation>()
  readonly #options: OperationTableOptions
  #prunedAt = 0

  constructor(options: OperationTableOptions) {
    this.#options = options
  }

  get size(): number {
    return this.#operations.size
  }

  values(): IterableIterator<Operation> {
    return this.#operations.values()
  }

  /** The operation, made known if it is new and marked as used now. */
  touch(campaignId: string, operationId: string, addedAt: number, now: number): Operation {
    this.#prune(now)
    let op = this.#operations.get(operationId)
    if (!op) {
      op = {
        campaignId,
        operationId,
        addedAt,
        fates: new Map(),
        complete: false,
        fetchedAt: 0,
        usedAt: now,
        inflight: null,
        error: null,
        waiters: new Set(),
        timer: null,
        delayMs: this.#options.pollMs,
      }
      this.#operations.set(operationId, op)
    } else {
      // Map order is the eviction order: most recently used last.
      this.#operations.delete(operationId)
      this.#operations.set(operationId, op)
      op.usedAt = now
      op.campaignId ||= campaignId
      op.addedAt = Math.min(op.addedAt, addedAt)
    }
    return op
  }

  /** Forgets operations nobody asked about for retainMs, and the oldest idle ones beyond the cap. */
  #prune(now: number): void {
    const { retainMs, maxOperations } = this.#options
    if (now - this.#prunedAt < 1_000 && this.#operations.size <= maxOperations) {
      return
    }
    this.#prunedAt = now
    let excess = this.#operations.size - maxOperations
    for (const [id, op] of this.#operations) {
      const idle = op.waiters.size === 0 && !op.timer && !op.inflight
      if (idle && (excess > 0 || now - op.usedAt > retainMs)) {
        this.#operations.delete(id)
        excess -= 1
      }
    }
  }
}

/** Records the final fates a report gives; true when this report is the one that completes the operation. */
export function applyReport(op: Operation, report: ParticipantsReport, now: number): boolean {
  op.fetchedAt = now
  for (const entry of report.participants) {
    const key = identityKey(entry.identifyBy)
    const fate = fateOf(entry)
    // Fates only move forward: a poll that raced a pushed report must not undo it.
    if (fate && !op.fates.has(key)) {
      op.fates.set(key, fate)
    }
  }
  const complete =
    report.participants.length > 0 && report.participants.every((p) => op.fates.has(identityKey(p.identifyBy)))
  if (!complete || op.complete) {
    return false
  }
  op.complete = true
  return true
}

/** How many participants were rejected, by reason, for the operator's log line. */
export function rejectedCounts(op: Operation): Record<string, number> {
  const rejected: Record<string, number> = {}
  for (const fate of op.fates.values()) {
    if (fate.status === 'REJECTED') {
      const reason = fate.errorReason ?? 'REJECTED'
      rejected[reason] = (rejected[reason] ?? 0) + 1
    }
  }
  return rejected
}
