import { inTransaction, statement } from './statements'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { redactValue } from '../common/redact'
import {
  claimRows,
  insertSubmission,
  openDatabase,
  RETRY,
  type Row,
  toRecord,
  countByStatus,
  countWhere,
  listWhere,
  stopWhere,
  tallyByTarget,
} from './outbox-sql'
import { withoutOwnSync } from './bookkeeping-sync'
import {
  type Delivery,
  type DeliveryRecord,
  type DeliveryState,
  type DeliveryStatus,
  type DeliveryTarget,
  type PlannedDelivery,
} from './payloads'
import { privateDatabaseFile } from '../common/private-files'
import type { ClaimOptions, DeliveryFilter, DeliveryQueue, StoppedDelivery } from './queue'
import { type ConsentEvidence, ConsentStore } from './consent-store'

/**
 * The DeliveryQueue on SQLite under FLOWFORM_DATA_DIR. A delivery is written before any upstream
 * call, so a crash, a deploy or an outage loses nothing: the worker picks up whatever is still due.
 */
export type { Delivery, DeliveryRecord, DeliveryStatus, DeliveryTarget } from './payloads'
export type { DeliveryFilter, DeliveryQueue, StoppedDelivery } from './queue'

export class Outbox implements DeliveryQueue {
  readonly #db: Database.Database
  readonly #now: () => number
  /** Deliveries being delivered in this process now: the worker must not send them twice, whatever the lease says. */
  readonly #inFlight = new Set<number>()
  /** This instance's mark on the rows it claims (`claimed_by`), so that the next process knows them. */
  readonly #owner = randomUUID()
  /** The consent records, in the same file: `add` writes them, retention and the CLI read and delete them. */
  readonly consents: ConsentStore

  constructor(file: string, options: { now?: () => number } = {}) {
    this.#db = openDatabase(privateDatabaseFile(file))
    this.#now = options.now ?? Date.now
    this.consents = new ConsentStore(this.#db)
  }

  /** Opens (creating if needed, 0700) the outbox in a data directory; its files are 0600. */
  static open(dataDir: string, options: { now?: () => number } = {}): Outbox {
    return new Outbox(join(dataDir, 'outbox.db'), options)
  }

  /** One transaction, with the consent record (outbox-sql.ts); leased for `leaseMs` and in flight, for the request. */
  add(
    submissionId: string,
    formId: string,
    items: readonly PlannedDelivery[],
    leaseMs = 30_000,
    consent?: ConsentEvidence | null,
  ): Delivery[] {
    const now = this.#now()
    const lease = { now, dueAt: now + leaseMs, owner: this.#owner }
    const deliveries = insertSubmission(this.#db, { submissionId, formId, items, consent }, lease)
    // leaseMs 0: not held, due now for the worker (the request leaves them to it).
    deliveries.forEach((delivery) => leaseMs > 0 && this.#inFlight.add(delivery.id))
    return deliveries
  }

  /** Runs `work` in one transaction (one commit, one fsync); `add`s in it become savepoints (group-commit.ts). */
  readonly atomically = (work: () => void): void => inTransaction(this.#db, work)

  /** Whether a transaction is open (settle-batch.ts: SQLite may roll one back on its own). */
  get inTransaction(): boolean {
    return this.#db.inTransaction
  }

  /** Settles (complete … fail) in one transaction, unsynced like each alone (settle-batch.ts). */
  readonly settleTogether = (work: () => void): void => withoutOwnSync(this.#db, () => inTransaction(this.#db, work))

  release(id: number): void {
    this.#inFlight.delete(id)
  }

  /**
   * Due deliveries not already in flight here, leased to this instance; a row that does not parse
   * is failed instead. `skipTargets`: targets whose upstream is known to be down right now (its
   * circuit breaker is open), left pending and untouched.
   */
  claimDue(limit: number, leaseMs = 60_000, options: ClaimOptions = {}): Delivery[] {
    const now = this.#now()
    const skipTargets = options.skipTargets ?? []
    const claimed = withoutOwnSync(this.#db, () =>
      inTransaction(this.#db, () =>
        claimRows(this.#db, { now, limit, leaseMs, owner: this.#owner, inFlight: this.#inFlight, skipTargets }),
      ),
    )
    for (const delivery of claimed) {
      this.#inFlight.add(delivery.id)
    }
    return claimed
  }

  /**
   * At the start of the server: it is the only owner of this file (the embedded store serves one
   * process), so whatever an earlier process had claimed or was sending when it stopped (a crash,
   * kill -9, a deploy) is due now instead of when its lease would have run out. Not for operator
   * commands, which open the file beside a running server. Returns how many were released.
   */
  releaseStaleClaims(): number {
    const now = this.#now()
    return this.#db
      .prepare(
        `UPDATE deliveries SET next_attempt_at = MIN(next_attempt_at, @now), claimed_by = NULL, updated_at = @now
         WHERE claimed_by IS NOT NULL AND claimed_by <> @owner AND status IN ('pending', 'awaiting')`,
      )
      .run({ now, owner: this.#owner }).changes
  }

  /**
   * Makes every pending delivery of these targets due now (their upstream is back: its circuit
   * breaker closed), whatever backoff each had grown. Returns how many were waiting.
   */
  wakeTargets(targets: readonly DeliveryTarget[]): number {
    if (targets.length === 0) {
      return 0
    }
    const now = this.#now()
    return this.#db
      .prepare(
        `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
         WHERE status = 'pending' AND next_attempt_at > ? AND target IN (${targets.map(() => '?').join(', ')})`,
      )
      .run(now, now, now, ...targets).changes
  }

  // Settling an attempt (queue.ts): only while still pending or awaiting; false when it did not apply.

  /**
   * Finished: the personal data is dropped, the record of what happened stays. The send that
   * succeeded counts as an attempt (an awaiting one was not counted when it went out: `await` only
   * records that the upstream took it), so a row delivered at the first try shows 1.
   */
  complete(id: number, result: string): boolean {
    return this.#settled(
      `status = 'done', attempts = attempts + 1, payload = NULL, state = ?`,
      [JSON.stringify({ result })],
      id,
    )
  }

  /** Upstream took it and will report later. */
  await(id: number, state: DeliveryState, nextAttemptAt: number): boolean {
    return this.#settled(
      `status = 'awaiting', state = ?, next_attempt_at = ?`,
      [JSON.stringify(state), nextAttemptAt],
      id,
    )
  }

  /**
   * Makes the deliveries awaiting one upstream operation due now (its report just became final), so
   * the worker settles them without waiting for their next poll. Returns how many there were.
   */
  wakeAwaiting(operationId: string): number {
    const now = this.#now()
    return this.#db
      .prepare(
        `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
         WHERE status = 'awaiting' AND next_attempt_at > ? AND json_extract(state, '$.operationId') = ?`,
      )
      .run(now, now, now, operationId).changes
  }

  /** Due again later; `countAttempt: false` when our own side (the rate limiter) held it back. */
  retryLater(id: number, error: string, nextAttemptAt: number, countAttempt = true): boolean {
    return this.#settled(
      `attempts = attempts + ?, last_error = ?, next_attempt_at = ?`,
      [countAttempt ? 1 : 0, error, nextAttemptAt],
      id,
    )
  }

  /** Kept, with its data, for the operator: only a fix on their side can deliver it. */
  fail(id: number, error: string): boolean {
    return this.#settled(`status = 'failed', attempts = attempts + 1, last_error = ?`, [error], id)
  }

  /** The person was told to correct the values; this attempt is void and its data dropped. */
  reject(ids: readonly number[], reason: string): number {
    return this.#db.transaction(() =>
      ids.reduce(
        (n, id) =>
          n + (this.#settled(`status = 'rejected', payload = NULL, last_error = ?`, [reason], id, true) ? 1 : 0),
        0,
      ),
    )()
  }

  /** `durable`: synced before it returns (a rejection must not come back); else outbox-sql.ts withoutOwnSync. */
  #settled(set: string, values: unknown[], id: number, durable = false): boolean {
    const update = statement(
      this.#db,
      `UPDATE deliveries SET ${set}, claimed_by = NULL, updated_at = ? WHERE id = ? AND status IN ('pending', 'awaiting')`,
    )
    const run = () => update.run(...values.map(redactValue), this.#now(), id).changes > 0
    return durable ? run() : withoutOwnSync(this.#db, run)
  }

  /**
   * The person was asked to correct a submission: its deliveries that have not gone out yet must
   * not go out with the old values. Returns how many were stopped.
   */
  rejectUnfinished(submissionId: string, reason: string): number {
    return this.#db
      .prepare(
        `UPDATE deliveries SET status = 'rejected', payload = NULL, last_error = ?, updated_at = ?
         WHERE submission_id = ? AND status = 'pending'`,
      )
      .run(redactValue(reason), this.#now(), submissionId).changes
  }

  get(id: number): DeliveryRecord | undefined {
    const row = statement(this.#db, 'SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined
    return row ? toRecord(row) : undefined
  }

  /** Oldest first; `newestFirst` and `limit` for the operator's listing. */
  list(filter: DeliveryFilter & { limit?: number; newestFirst?: boolean } = {}): DeliveryRecord[] {
    return listWhere(this.#db, filter)
  }

  count(filter: DeliveryFilter = {}): number {
    return countWhere(this.#db, filter)
  }

  counts(): Record<DeliveryStatus, number> {
    return countByStatus(this.#db)
  }

  /** How many deliveries each target has in each status, for the operator's overview. */
  tally(): { target: DeliveryTarget; status: DeliveryStatus; count: number }[] {
    return tallyByTarget(this.#db)
  }

  /** The delivery that has been in this status longest (by when it was accepted), if any. */
  oldest(status: DeliveryStatus): DeliveryRecord | undefined {
    const row = this.#db
      .prepare('SELECT * FROM deliveries WHERE status = ? ORDER BY created_at, id LIMIT 1')
      .get(status) as Row | undefined
    return row ? toRecord(row) : undefined
  }

  /**
   * The operator fixed what made these deliveries fail: they become pending and due now, with a
   * fresh count of attempts, for the worker of the running server. Their state is cleared, since it
   * records how the failed attempt went (a Moments operation that ended in a rejection, say), and
   * `operator_retries` counts up so that the new attempt is told apart from the failed one. Only
   * failed deliveries move; returns the ids that did.
   */
  retryFailed(ids: readonly number[]): number[] {
    const stmt = this.#db.prepare(`${RETRY} WHERE status = 'failed' AND id = @id RETURNING id`).pluck()
    const now = this.#now()
    return this.#db.transaction(() => ids.flatMap((id) => (stmt.get({ now, id }) as number | undefined) ?? []))()
  }

  /** `retryFailed` for every failed delivery, or every failed delivery of one form. Returns how many. */
  retryAllFailed(formId?: string): number {
    return this.#db
      .prepare(`${RETRY} WHERE status = 'failed' AND (@formId IS NULL OR form_id = @formId)`)
      .run({ formId: formId ?? null, now: this.#now() }).changes
  }

  /** Deletes finished deliveries (done, rejected) that finished before `before`. Returns how many. */
  purgeFinished(before: number): number {
    return this.#db
      .prepare(`DELETE FROM deliveries WHERE status IN ('done', 'rejected') AND updated_at < ?`)
      .run(before).changes
  }

  /**
   * An erasure request: stops every unfinished delivery `concerns` picks, and every other unfinished
   * delivery of the same submissions (they carry the same person, perhaps under another field), so
   * that none of them is sent later. Their data is dropped. One write transaction, so the server's
   * worker cannot settle a delivery between the look and the change.
   */
  rejectUnfinishedWhere(concerns: (delivery: DeliveryRecord) => boolean, reason: string): StoppedDelivery[] {
    return this.#db.transaction(() => stopWhere(this.#db, concerns, redactValue(reason), this.#now())).immediate()
  }

  close(): void {
    this.#db.close()
  }
}
