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
  /** How often the operator sent it back from failed (`npx flowform outbox retry`). */
  operatorRetries: number
}

/** A delivery an operator stopped, as reported back (never its payload). */
export interface StoppedDelivery {
  id: number
  formId: string
  target: DeliveryTarget
  /** Its status before it was stopped. */
  status: DeliveryStatus
}

/** Deliveries the worker (or the operator) still has to act on: their payload is kept. */
const UNFINISHED = `('pending', 'awaiting', 'failed')`

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
  operator_retries: number
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
  updated_at INTEGER NOT NULL,
  operator_retries INTEGER NOT NULL DEFAULT 0
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
    operatorRetries: row.operator_retries,
  }
}

/**
 * Columns added since the first release, for an outbox file written by an older version. Under a
 * write lock, because the server and an operator command may open an old file at the same moment.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const columns = db.prepare(`SELECT name FROM pragma_table_info('deliveries')`).pluck().all() as string[]
    if (!columns.includes('operator_retries')) {
      db.exec('ALTER TABLE deliveries ADD COLUMN operator_retries INTEGER NOT NULL DEFAULT 0')
    }
  }).immediate()
}

export interface DeliveryFilter {
  status?: DeliveryStatus | undefined
  formId?: string | undefined
}

const FILTER = '(@status IS NULL OR status = @status) AND (@formId IS NULL OR form_id = @formId)'

function filterParams(filter: DeliveryFilter): { status: string | null; formId: string | null } {
  return { status: filter.status ?? null, formId: filter.formId ?? null }
}

/** Back to pending, due @now. */
const RETRY = `UPDATE deliveries SET status = 'pending', attempts = 0, state = '{}',
  operator_retries = operator_retries + 1, next_attempt_at = @now, updated_at = @now`

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
    migrate(this.#db)
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

  // The updates below record an attempt's outcome. They apply only while the delivery is still
  // in the worker's hands (pending or awaiting): an operator may have stopped it meanwhile (an
  // erasure from another process), and a late outcome must not bring back its status or data.
  // Each returns false when it did not apply.

  /** Finished: the personal data is dropped, the record of what happened stays. */
  complete(id: number, result: string): boolean {
    return this.#settled(`status = 'done', payload = NULL, state = ?`, [JSON.stringify({ result })], id)
  }

  /** Upstream took it and will report later. */
  await(id: number, state: Record<string, unknown>, nextAttemptAt: number): boolean {
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
        (n, id) => n + (this.#settled(`status = 'rejected', payload = NULL, last_error = ?`, [reason], id) ? 1 : 0),
        0,
      ),
    )()
  }

  #settled(set: string, values: unknown[], id: number): boolean {
    return (
      this.#db
        .prepare(`UPDATE deliveries SET ${set}, updated_at = ? WHERE id = ? AND status IN ('pending', 'awaiting')`)
        .run(...values, this.#now(), id).changes > 0
    )
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

  /** Oldest first; `newestFirst` and `limit` for the operator's listing. */
  list(filter: DeliveryFilter & { limit?: number; newestFirst?: boolean } = {}): Delivery[] {
    const order = filter.newestFirst ? 'DESC' : 'ASC'
    const rows = this.#db
      .prepare(`SELECT * FROM deliveries WHERE ${FILTER} ORDER BY id ${order} LIMIT @limit`)
      .all({ ...filterParams(filter), limit: filter.limit ?? -1 }) as Row[]
    return rows.map(toDelivery)
  }

  count(filter: DeliveryFilter = {}): number {
    return (
      (this.#db
        .prepare(`SELECT COUNT(*) FROM deliveries WHERE ${FILTER}`)
        .pluck()
        .get(filterParams(filter)) as number) ?? 0
    )
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

  /** How many deliveries each target has in each status, for the operator's overview. */
  tally(): { target: DeliveryTarget; status: DeliveryStatus; count: number }[] {
    return this.#db
      .prepare(
        'SELECT target, status, COUNT(*) AS count FROM deliveries GROUP BY target, status ORDER BY target, status',
      )
      .all() as { target: DeliveryTarget; status: DeliveryStatus; count: number }[]
  }

  /** The delivery that has been in this status longest (by when it was accepted), if any. */
  oldest(status: DeliveryStatus): Delivery | undefined {
    const row = this.#db
      .prepare('SELECT * FROM deliveries WHERE status = ? ORDER BY created_at, id LIMIT 1')
      .get(status) as Row | undefined
    return row ? toDelivery(row) : undefined
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
  rejectUnfinishedWhere(concerns: (delivery: Delivery) => boolean, reason: string): StoppedDelivery[] {
    return this.#db
      .transaction(() => {
        const unfinished = (
          this.#db
            .prepare(`SELECT * FROM deliveries WHERE status IN ${UNFINISHED} AND payload IS NOT NULL ORDER BY id`)
            .all() as Row[]
        ).map(toDelivery)
        const submissions = new Set(unfinished.filter(concerns).map((d) => d.submissionId))
        const stopped = unfinished.filter((d) => submissions.has(d.submissionId))
        const stop = this.#db.prepare(
          `UPDATE deliveries SET status = 'rejected', payload = NULL, last_error = ?, updated_at = ? WHERE id = ? AND status IN ${UNFINISHED}`,
        )
        for (const delivery of stopped) {
          stop.run(reason, this.#now(), delivery.id)
        }
        return stopped.map(({ id, formId, target, status }) => ({ id, formId, target, status }))
      })
      .immediate()
  }

  close(): void {
    this.#db.close()
  }
}
