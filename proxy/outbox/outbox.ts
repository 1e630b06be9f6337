import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/**
 * Durable record of every accepted submission's deliveries (form data, flow enrolment), in SQLite
 * under FLOWFORM_DATA_DIR. A delivery is written before any upstream call, so a crash, a deploy or
 * an upstream outage loses nothing: the worker picks up whatever is still due.
 */

export type DeliveryTarget = 'form-data' | 'flow' | 'rapidpro'
export type DeliveryStatus = 'pending' | 'awaiting' | 'done' | 'failed' | 'rejected'

export interface Delivery {
  id: number
  submissionId: string
  formId: string
  target: DeliveryTarget
  payload: Record<string, unknown>
  state: Record<string, unknown>
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
}

interface Row {
  id: number
  submission_id: string
  form_id: string
  target: DeliveryTarget
  payload: string | null
  state: string | null
  status: DeliveryStatus
  attempts: number
  next_attempt_at: number
  last_error: string | null
  created_at: number
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  submission_id TEXT NOT NULL,
  form_id TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT,
  state TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
`

function toDelivery(row: Row): Delivery {
  return {
    id: row.id,
    submissionId: row.submission_id,
    formId: row.form_id,
    target: row.target,
    payload: row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : {},
    state: row.state ? (JSON.parse(row.state) as Record<string, unknown>) : {},
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  }
}

export class Outbox {
  readonly #db: Database.Database
  readonly #now: () => number
  /**
   * Deliveries someone in this process is delivering right now. Leases in the table guard other
   * processes; this guards the worker against a request that runs past its lease (a slow upstream,
   * a long Retry-After), which would otherwise send the same POST twice.
   */
  readonly #inFlight = new Set<number>()

  constructor(file: string, options: { now?: () => number } = {}) {
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(SCHEMA)
    this.#now = options.now ?? Date.now
  }

  /** Opens (creating if needed) the outbox in a data directory. */
  static open(dataDir: string, options: { now?: () => number } = {}): Outbox {
    mkdirSync(dataDir, { recursive: true })
    return new Outbox(join(dataDir, 'outbox.db'), options)
  }

  /**
   * Records the deliveries of one submission in one transaction. They start leased for `leaseMs`
   * so that the worker leaves them to the request that is delivering them right now.
   */
  add(
    submissionId: string,
    formId: string,
    items: { target: DeliveryTarget; payload: Record<string, unknown> }[],
    leaseMs = 30_000,
  ): Delivery[] {
    const now = this.#now()
    const insert = this.#db.prepare(
      `INSERT INTO deliveries (submission_id, form_id, target, payload, state, status, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, '{}', 'pending', ?, ?, ?) RETURNING *`,
    )
    const deliveries = this.#db.transaction(() =>
      items.map((item) =>
        toDelivery(
          insert.get(submissionId, formId, item.target, JSON.stringify(item.payload), now + leaseMs, now, now) as Row,
        ),
      ),
    )()
    for (const delivery of deliveries) {
      this.#inFlight.add(delivery.id)
    }
    return deliveries
  }

  /** The delivery is no longer being worked on in this process (call once it is settled). */
  release(id: number): void {
    this.#inFlight.delete(id)
  }

  isInFlight(id: number): boolean {
    return this.#inFlight.has(id)
  }

  /**
   * Deliveries whose time has come, oldest first, leased for `leaseMs` so no one else takes them and
   * marked in flight until released. Deliveries already in flight here are skipped.
   */
  claimDue(limit: number, leaseMs = 60_000): Delivery[] {
    const now = this.#now()
    const claimed = this.#db.transaction(() => {
      const rows = (
        this.#db
          .prepare(
            `SELECT * FROM deliveries WHERE status IN ('pending', 'awaiting') AND next_attempt_at <= ?
             ORDER BY next_attempt_at, id LIMIT ?`,
          )
          .all(now, limit + this.#inFlight.size) as Row[]
      )
        .filter((row) => !this.#inFlight.has(row.id))
        .slice(0, limit)
      const lease = this.#db.prepare('UPDATE deliveries SET next_attempt_at = ?, updated_at = ? WHERE id = ?')
      for (const row of rows) {
        lease.run(now + leaseMs, now, row.id)
      }
      return rows.map(toDelivery)
    })()
    for (const delivery of claimed) {
      this.#inFlight.add(delivery.id)
    }
    return claimed
  }

  /** Finished: the personal data is dropped, the record of what happened stays. */
  complete(id: number, result: string): void {
    this.#db
      .prepare(`UPDATE deliveries SET status = 'done', payload = NULL, state = ?, updated_at = ? WHERE id = ?`)
      .run(JSON.stringify({ result }), this.#now(), id)
  }

  /** Upstream took it and will report later. */
  await(id: number, state: Record<string, unknown>, nextAttemptAt: number): void {
    this.#db
      .prepare(`UPDATE deliveries SET status = 'awaiting', state = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`)
      .run(JSON.stringify(state), nextAttemptAt, this.#now(), id)
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
  retryLater(id: number, error: string, nextAttemptAt: number, countAttempt = true): void {
    this.#db
      .prepare(
        `UPDATE deliveries SET attempts = attempts + ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(countAttempt ? 1 : 0, error, nextAttemptAt, this.#now(), id)
  }

  /** Kept, with its data, for the operator: only a fix on their side can deliver it. */
  fail(id: number, error: string): void {
    this.#db
      .prepare(`UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`)
      .run(error, this.#now(), id)
  }

  /** The person was told to correct the values; this attempt is void and its data dropped. */
  reject(ids: readonly number[], reason: string): void {
    const stmt = this.#db.prepare(
      `UPDATE deliveries SET status = 'rejected', payload = NULL, last_error = ?, updated_at = ? WHERE id = ?`,
    )
    this.#db.transaction(() => {
      for (const id of ids) {
        stmt.run(reason, this.#now(), id)
      }
    })()
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
      .run(reason, this.#now(), submissionId).changes
  }

  get(id: number): Delivery | undefined {
    const row = this.#db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined
    return row ? toDelivery(row) : undefined
  }

  list(filter: { status?: DeliveryStatus; formId?: string } = {}): Delivery[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM deliveries WHERE (@status IS NULL OR status = @status) AND (@formId IS NULL OR form_id = @formId) ORDER BY id`,
      )
      .all({ status: filter.status ?? null, formId: filter.formId ?? null }) as Row[]
    return rows.map(toDelivery)
  }

  counts(): Record<DeliveryStatus, number> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, awaiting: 0, done: 0, failed: 0, rejected: 0 }
    const rows = this.#db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as {
      status: DeliveryStatus
      n: number
    }[]
    for (const row of rows) {
      counts[row.status] = row.n
    }
    return counts
  }

  close(): void {
    this.#db.close()
  }
}
