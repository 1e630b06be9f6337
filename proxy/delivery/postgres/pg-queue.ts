import type pg from 'pg'
import type { Logger } from '../../common/log'
import { redactValue } from '../../common/redact'
import type { ConsentEvidence } from '../consent-store'
import { columnsOf, type Row } from '../outbox-sql'
import {
  type Delivery,
  type DeliveryRecord,
  type DeliveryState,
  type DeliveryTarget,
  parseDelivery,
  type PlannedDelivery,
} from '../payloads'
import type { ClaimOptions, DeliveryFilter, DeliveryQueue, StoppedDelivery } from '../queue'
import { PgConsentStore } from './consents'
import { GroupInsert } from './insert'
import * as operator from './operator'
import { claimable, Owner, STALE_MS } from './owner'
import { createPool, migrate } from './schema'

/**
 * The DeliveryQueue on PostgreSQL, shared by every instance (FLOWFORM_DATABASE_URL). Plain
 * parameterised SQL over node-postgres: Kysely 0.29 needs Node 22 (these machines run 20), and the
 * statements are few and PostgreSQL-specific (FOR UPDATE SKIP LOCKED, unnest) where a query
 * builder would add a layer without sparing any of them.
 *
 * A delivery is held by its owner (owner.ts) instead of a lease: `add` (when the request delivers
 * at once) and `claimDue` write this process's owner id into `claimed_by`; settling gives the claim
 * back. Another instance takes a claim only once its owner has stopped beating (STALE_MS), so a
 * killed instance's signups go out within seconds, and a slow call is never sent twice because a
 * lease ran out.
 */

/** Participants of one Moments call (upstreams/infobip/moments-batcher.ts MAX_PARTICIPANTS_PER_CALL). */
const BATCH_FILL = 1_000
const RETRY_UNSETTLED_MS = 30_000

export interface PgQueueOptions {
  now?: () => number
  log?: Logger
  /** Pool size; default 10. */
  max?: number
  /** Register an owner (servers and workers); the CLI only reads and stops, and holds nothing. */
  owner?: boolean
}

export class PgDeliveryQueue implements DeliveryQueue {
  readonly consents: PgConsentStore
  readonly #pool: pg.Pool
  readonly #now: () => number
  readonly #owner: Owner
  readonly #inserts: GroupInsert
  /** Claims of this process not yet settled: settling gives them back, so `release` is then free. */
  readonly #held = new Set<number>()

  private constructor(pool: pg.Pool, options: PgQueueOptions) {
    this.#pool = pool
    this.#now = options.now ?? Date.now
    this.#owner = new Owner(pool, this.#now, options.log)
    this.#inserts = new GroupInsert(pool)
    this.consents = new PgConsentStore(pool)
  }

  /** Connects, creates or upgrades the tables (safe with instances starting together) and registers. */
  static async open(url: string, options: PgQueueOptions = {}): Promise<PgDeliveryQueue> {
    const pool = createPool(url, options.max ?? 10, options.log)
    try {
      await migrate(pool)
      const queue = new PgDeliveryQueue(pool, options)
      if (options.owner !== false) {
        await queue.#owner.start()
      }
      return queue
    } catch (error) {
      await pool.end().catch(() => {})
      throw error
    }
  }

  /** The connections, for what else lives in the shared database (the shared Infobip limiter). */
  get pool(): pg.Pool {
    return this.#pool
  }

  /** This process's owner id (tests); `beat` beats now (it beats by itself every second). */
  get ownerId(): string {
    return this.#owner.id
  }

  beat(): Promise<void> {
    return this.#owner.beat()
  }

  /**
   * Group-committed (insert.ts). `leaseMs` 0: nobody holds them and any instance's worker may take
   * them now (instant confirmation); otherwise this process holds them while it delivers.
   */
  async add(
    submissionId: string,
    formId: string,
    items: readonly PlannedDelivery[],
    leaseMs = 30_000,
    consent?: ConsentEvidence | null,
  ): Promise<Delivery[]> {
    const claimedBy = leaseMs > 0 ? this.#owner.id : null
    const deliveries = await this.#inserts.add({ submissionId, formId, items, consent, claimedBy, now: this.#now() })
    if (claimedBy) {
      deliveries.forEach((d) => this.#held.add(d.id))
    }
    return deliveries
  }

  /**
   * Due deliveries nobody alive holds, oldest first; then, for each Moments campaign among them,
   * more of that campaign's pending deliveries (whichever instance accepted them) up to one full
   * call of 1,000, so that the batcher sends them together. A row that does not parse is failed.
   */
  async claimDue(limit: number, _leaseMs?: number, options: ClaimOptions = {}): Promise<Delivery[]> {
    const now = this.#now()
    // Targets whose circuit breaker is open stay where they are (delivery/upstream-health.ts).
    const skip = [...(options.skipTargets ?? [])]
    const first = await this.#claim(now, 'AND NOT (d.target = ANY($4::text[]))', [skip], limit)
    const byKey = new Map<string, number>()
    for (const row of first) {
      if (row.batch_key && row.status === 'pending') {
        byKey.set(row.batch_key, (byKey.get(row.batch_key) ?? 0) + 1)
      }
    }
    const more: Row[] = []
    for (const [key, n] of byKey) {
      if (n < BATCH_FILL) {
        more.push(...(await this.#claim(now, `AND d.status = 'pending' AND d.batch_key = $4`, [key], BATCH_FILL - n)))
      }
    }
    return this.#parsed([...first, ...more], now)
  }

  async #claim(
    now: number,
    where: string,
    extra: unknown[],
    limit: number,
  ): Promise<(Row & { batch_key: string | null })[]> {
    const { rows } = await this.#pool.query<Row & { batch_key: string | null }>(
      `WITH picked AS (
         SELECT d.id FROM flowform_deliveries d
         WHERE d.status IN ('pending', 'awaiting') AND d.next_attempt_at <= $1 ${where}
           AND ${claimable('$2', '$1::bigint - ' + STALE_MS)}
         ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE flowform_deliveries d SET claimed_by = $2, updated_at = $1 FROM picked WHERE d.id = picked.id
       RETURNING d.*`,
      [now, this.#owner.id, limit, ...extra],
    )
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id)
  }

  async #parsed(rows: Row[], now: number): Promise<Delivery[]> {
    const claimed: Delivery[] = []
    for (const row of rows) {
      const parsed = parseDelivery(columnsOf(row))
      if (parsed.ok) {
        this.#held.add(row.id)
        claimed.push(parsed.delivery)
      } else {
        // Written by hand or by another version: only the operator can say what it should have been.
        await this.#pool.query(
          `UPDATE flowform_deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2,
             updated_at = $3, claimed_by = NULL WHERE id = $1`,
          [row.id, redactValue(parsed.reason), now],
        )
      }
    }
    return claimed
  }

  /**
   * Settling gave the claim back already; a delivery released unsettled crashed in our hands, so it
   * waits RETRY_UNSETTLED_MS (as the SQLite outbox's lease makes it) instead of looping at once.
   */
  async release(id: number): Promise<void> {
    if (this.#held.delete(id)) {
      await this.#pool.query(
        `UPDATE flowform_deliveries SET claimed_by = NULL, next_attempt_at = GREATEST(next_attempt_at, $3)
         WHERE id = $1 AND claimed_by = $2`,
        [id, this.#owner.id, this.#now() + RETRY_UNSETTLED_MS],
      )
    }
  }

  complete(id: number, result: string): Promise<boolean> {
    return this.#settled(`status = 'done', attempts = attempts + 1, payload = NULL, state = $3`, id, [
      JSON.stringify({ result }),
    ])
  }

  await(id: number, state: DeliveryState, nextAttemptAt: number): Promise<boolean> {
    return this.#settled(`status = 'awaiting', state = $3, next_attempt_at = $4`, id, [
      JSON.stringify(state),
      Math.ceil(nextAttemptAt),
    ])
  }

  retryLater(id: number, error: string, nextAttemptAt: number, countAttempt = true): Promise<boolean> {
    return this.#settled(`attempts = attempts + $3, last_error = $4, next_attempt_at = $5`, id, [
      countAttempt ? 1 : 0,
      error,
      // Backoff with jitter is fractional; the column is whole milliseconds (SQLite took either).
      Math.ceil(nextAttemptAt),
    ])
  }

  fail(id: number, error: string): Promise<boolean> {
    return this.#settled(`status = 'failed', attempts = attempts + 1, last_error = $3`, id, [error])
  }

  async reject(ids: readonly number[], reason: string): Promise<number> {
    let n = 0
    for (const id of ids) {
      n += (await this.#settled(`status = 'rejected', payload = NULL, last_error = $3`, id, [reason])) ? 1 : 0
    }
    return n
  }

  /** Settling (queue.ts): only while pending or awaiting; gives the claim back in the same statement. */
  async #settled(set: string, id: number, values: unknown[]): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE flowform_deliveries SET ${set}, updated_at = $2,
         claimed_by = CASE WHEN claimed_by = $${values.length + 3} THEN NULL ELSE claimed_by END
       WHERE id = $1 AND status IN ('pending', 'awaiting')`,
      [id, this.#now(), ...values.map(redactValue), this.#owner.id],
    )
    this.#held.delete(id)
    return (result.rowCount ?? 0) > 0
  }

  rejectUnfinished(submissionId: string, reason: string): Promise<number> {
    return operator.rejectUnfinished(this.#pool, submissionId, reason, this.#now())
  }

  /** Whichever instance got the report: the deliveries become due, and the next pass of any worker settles them. */
  wakeAwaiting(operationId: string): Promise<number> {
    return operator.wakeAwaiting(this.#pool, operationId, this.#now())
  }

  wakeTargets(targets: readonly DeliveryTarget[]): Promise<number> {
    return operator.wakeTargets(this.#pool, targets, this.#now())
  }

  get(id: number): Promise<DeliveryRecord | undefined> {
    return operator.get(this.#pool, id)
  }

  list(filter: DeliveryFilter & { limit?: number; newestFirst?: boolean } = {}): Promise<DeliveryRecord[]> {
    return operator.list(this.#pool, filter)
  }

  count(filter: DeliveryFilter = {}): Promise<number> {
    return operator.count(this.#pool, filter)
  }

  counts(): ReturnType<typeof operator.counts> {
    return operator.counts(this.#pool)
  }

  tally(): ReturnType<typeof operator.tally> {
    return operator.tally(this.#pool)
  }

  oldest(status: Parameters<typeof operator.oldest>[1]): Promise<DeliveryRecord | undefined> {
    return operator.oldest(this.#pool, status)
  }

  retryFailed(ids: readonly number[]): Promise<number[]> {
    return operator.retryFailed(this.#pool, ids, this.#now())
  }

  retryAllFailed(formId?: string): Promise<number> {
    return operator.retryAllFailed(this.#pool, formId, this.#now())
  }

  purgeFinished(before: number): Promise<number> {
    return operator.purgeFinished(this.#pool, before)
  }

  rejectUnfinishedWhere(concerns: (delivery: DeliveryRecord) => boolean, reason: string): Promise<StoppedDelivery[]> {
    return operator.rejectUnfinishedWhere(this.#pool, concerns, reason, this.#now())
  }

  /** Gives back this process's claims (another instance takes them at once) and closes the pool. */
  async close(): Promise<void> {
    try {
      await this.#owner.stop()
    } finally {
      await this.#pool.end()
    }
  }
}
