import type {
  Delivery,
  DeliveryRecord,
  DeliveryState,
  DeliveryStatus,
  DeliveryTarget,
  PlannedDelivery,
} from './payloads'
import type { ConsentEvidence, ConsentRecords } from './consent-store'

/**
 * The durable queue of deliveries, as the signup path, the worker and the operator's commands use
 * it. outbox.ts implements it on SQLite, synchronously; a networked backend (PostgreSQL) answers
 * with promises. Every method may do either (`Awaitable`), and every caller awaits, so a second
 * backend is one more implementation, not a change of callers.
 *
 * The settling methods (complete … fail) apply only while the delivery is still in the worker's
 * hands (pending or awaiting): an operator may have stopped it meanwhile, and a late outcome must
 * not bring back its status or data. They answer false when they did not apply.
 */
export type Awaitable<T> = T | Promise<T>

export interface DeliveryFilter {
  status?: DeliveryStatus | undefined
  formId?: string | undefined
  target?: DeliveryTarget | undefined
}

/** A delivery an operator stopped, as reported back (never its payload). */
export interface StoppedDelivery {
  id: number
  formId: string
  target: DeliveryTarget
  /** Its status before it was stopped. */
  status: DeliveryStatus
}

export interface ClaimOptions {
  /** Targets whose upstream is down right now (its circuit breaker is open): not claimed, left as they are. */
  skipTargets?: readonly DeliveryTarget[] | undefined
}

export interface DeliveryQueue {
  /** The consent records, in the same store: `add` writes them, retention and the CLI read and delete them. */
  readonly consents: ConsentRecords
  /**
   * Records the deliveries of one submission at once, leased for `leaseMs` so that the worker
   * leaves them to the request that is delivering them right now; `leaseMs` 0: not held, due now
   * for any worker (the request leaves them to the workers). The submission's consent record
   * (signup/consent-record.ts), if any, is written in the same transaction.
   */
  add(
    submissionId: string,
    formId: string,
    items: readonly PlannedDelivery[],
    leaseMs?: number,
    consent?: ConsentEvidence | null,
  ): Awaitable<Delivery[]>
  /**
   * Deliveries whose time has come, oldest first, leased for `leaseMs` and held in flight until
   * released. A due row that does not parse is failed for the operator instead of returned.
   */
  claimDue(limit: number, leaseMs?: number, options?: ClaimOptions): Awaitable<Delivery[]>
  /** The delivery is no longer being worked on in this process (call once it is settled). */
  release(id: number): Awaitable<void>

  /** Finished: the personal data is dropped, the record of what happened stays. */
  complete(id: number, result: string): Awaitable<boolean>
  /** Upstream took it and will report later. */
  await(id: number, state: DeliveryState, nextAttemptAt: number): Awaitable<boolean>
  /** Due again later; `countAttempt: false` when our own side (the rate limiter) held it back. */
  retryLater(id: number, error: string, nextAttemptAt: number, countAttempt?: boolean): Awaitable<boolean>
  /** Kept, with its data, for the operator: only a fix on their side can deliver it. */
  fail(id: number, error: string): Awaitable<boolean>
  /** The person was told to correct the values; these attempts are void and their data dropped. */
  reject(ids: readonly number[], reason: string): Awaitable<number>
  /** Stops a submission's deliveries that have not gone out yet (the person is correcting it). */
  rejectUnfinished(submissionId: string, reason: string): Awaitable<number>
  /** Makes the deliveries awaiting one upstream operation due now; returns how many there were. */
  wakeAwaiting(operationId: string): Awaitable<number>
  /**
   * Makes every pending delivery of these targets due now, whatever backoff each had grown: their
   * upstream answers again (its circuit breaker closed). Returns how many were waiting.
   */
  wakeTargets(targets: readonly DeliveryTarget[]): Awaitable<number>

  // The operator's side (cli/outbox-*.ts).
  get(id: number): Awaitable<DeliveryRecord | undefined>
  list(filter?: DeliveryFilter & { limit?: number; newestFirst?: boolean }): Awaitable<DeliveryRecord[]>
  count(filter?: DeliveryFilter): Awaitable<number>
  counts(): Awaitable<Record<DeliveryStatus, number>>
  tally(): Awaitable<{ target: DeliveryTarget; status: DeliveryStatus; count: number }[]>
  oldest(status: DeliveryStatus): Awaitable<DeliveryRecord | undefined>
  retryFailed(ids: readonly number[]): Awaitable<number[]>
  retryAllFailed(formId?: string): Awaitable<number>
  purgeFinished(before: number): Awaitable<number>
  /** An erasure: stops the unfinished deliveries `concerns` picks and the rest of their submissions. */
  rejectUnfinishedWhere(concerns: (delivery: DeliveryRecord) => boolean, reason: string): Awaitable<StoppedDelivery[]>

  close(): Awaitable<void>
}
