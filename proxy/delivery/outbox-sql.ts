import { inTransaction, statement } from './statements'
import Database from 'better-sqlite3'
import { redactValue } from '../common/redact'
import { CONSENT_SCHEMA, type ConsentEvidence, insertConsent } from './consent-store'
import type { DeliveryFilter, StoppedDelivery } from './queue'
import {
  type Delivery,
  type DeliveryRecord,
  type DeliveryStatus,
  type DeliveryTarget,
  parseDelivery,
  parseRecord,
  type PlannedDelivery,
  type StoredColumns,
} from './payloads'

/** The SQLite side of outbox.ts: the table, its migrations, and reading a row back. */

export interface Row {
  id: number
  submission_id: string
  form_id: string
  target: string
  payload: string | null
  state: string | null
  status: DeliveryStatus
  attempts: number
  next_attempt_at: number
  last_error: string | null
  created_at: number
  operator_retries: number
  /** The Outbox instance (process) that claimed or added it and has not settled it yet; NULL when none. */
  claimed_by: string | null
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
  operator_retries INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
`

export function columnsOf(row: Row): StoredColumns {
  return {
    id: row.id,
    submissionId: row.submission_id,
    formId: row.form_id,
    target: row.target,
    payload: json(row.payload),
    state: json(row.state) ?? {},
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    operatorRetries: row.operator_retries,
  }
}

/** Unparseable JSON reads as missing: parseDelivery then names the column that is wrong. */
function json(text: string | null): unknown {
  if (text === null) {
    return null
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

export function toRecord(row: Row): DeliveryRecord | undefined {
  return parseRecord(columnsOf(row))
}

export function records(rows: Row[]): DeliveryRecord[] {
  return rows.flatMap((row) => toRecord(row) ?? [])
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
    if (!columns.includes('claimed_by')) {
      db.exec('ALTER TABLE deliveries ADD COLUMN claimed_by TEXT')
    }
  }).immediate()
}

/** Opens (creating and migrating) the outbox database file, tuned for one writer and concurrent readers. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  // FULL: a signup is acknowledged once stored (confirmation "instant"), so the WAL is synced on
  // every commit; NORMAL could lose acknowledged signups to a power cut or host crash.
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  db.exec(SCHEMA)
  migrate(db)
  // Consent records (delivery/consent-store.ts) live here so that they are written with their deliveries.
  db.exec(CONSENT_SCHEMA)
  return db
}

/** Deliveries the worker (or the operator) still has to act on: their payload is kept. */
export const UNFINISHED = `('pending', 'awaiting', 'failed')`

export const FILTER =
  '(@status IS NULL OR status = @status) AND (@formId IS NULL OR form_id = @formId) AND (@target IS NULL OR target = @target)'

export function filterParams(filter: DeliveryFilter): {
  status: string | null
  formId: string | null
  target: string | null
} {
  return { status: filter.status ?? null, formId: filter.formId ?? null, target: filter.target ?? null }
}

export interface NewSubmission {
  submissionId: string
  formId: string
  items: readonly PlannedDelivery[]
  consent?: ConsentEvidence | null | undefined
}

/**
 * A new submission in one transaction: its consent record (if the person ticked a consent field)
 * and its deliveries, pending and leased to `owner` until `dueAt`. Never a delivery without its consent.
 */
export function insertSubmission(
  db: Database.Database,
  submission: NewSubmission,
  lease: { now: number; dueAt: number; owner: string },
): Delivery[] {
  const { now, dueAt, owner } = lease
  const { submissionId, formId, items, consent } = submission
  const insert = statement(
    db,
    `INSERT INTO deliveries (submission_id, form_id, target, payload, state, status, next_attempt_at, created_at, updated_at, claimed_by)
     VALUES (?, ?, ?, ?, '{}', 'pending', ?, ?, ?, ?) RETURNING *`,
  )
  return inTransaction(db, () => {
    if (consent) {
      insertConsent(db, submissionId, formId, consent)
    }
    return items.map((item): Delivery => {
      const row = insert.get(submissionId, formId, item.target, JSON.stringify(item.payload), dueAt, now, now, owner)
      const { id, createdAt, nextAttemptAt } = columnsOf(row as Row)
      const fields = { id, submissionId, formId, createdAt, nextAttemptAt, attempts: 0, lastError: null }
      return { ...fields, ...item, status: 'pending', operatorRetries: 0, state: {} }
    })
  })
}

/** Back to pending, due @now. */
export const RETRY = `UPDATE deliveries SET status = 'pending', attempts = 0, state = '{}',
  operator_retries = operator_retries + 1, next_attempt_at = @now, updated_at = @now`

/** How many deliveries are in each status (every status present, zero when none). */
export function countByStatus(db: Database.Database): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, awaiting: 0, done: 0, failed: 0, rejected: 0 }
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as {
    status: DeliveryStatus
    n: number
  }[]
  for (const row of rows) {
    counts[row.status] = row.n
  }
  return counts
}

/** How many deliveries each target has in each status, for the operator's overview. */
export function tallyByTarget(
  db: Database.Database,
): { target: DeliveryTarget; status: DeliveryStatus; count: number }[] {
  return db
    .prepare('SELECT target, status, COUNT(*) AS count FROM deliveries GROUP BY target, status ORDER BY target, status')
    .all() as { target: DeliveryTarget; status: DeliveryStatus; count: number }[]
}

export interface ClaimOptions {
  now: number
  limit: number
  leaseMs: number
  owner: string
  inFlight: ReadonlySet<number>
  skipTargets: readonly DeliveryTarget[]
}

/**
 * The due rows not in flight in this process and not of a skipped target, oldest first, leased to
 * `owner`; a row that does not parse is failed for the operator instead. Run inside a transaction.
 */
export function claimRows(db: Database.Database, options: ClaimOptions): Delivery[] {
  const { now, limit, leaseMs, owner, inFlight, skipTargets } = options
  const skip = skipTargets.length > 0 ? `AND target NOT IN (${skipTargets.map(() => '?').join(', ')})` : ''
  const rows = (
    db
      .prepare(
        `SELECT * FROM deliveries WHERE status IN ('pending', 'awaiting') AND next_attempt_at <= ? ${skip}
         ORDER BY next_attempt_at, id LIMIT ?`,
      )
      .all(now, ...skipTargets, limit + inFlight.size) as Row[]
  )
    .filter((row) => !inFlight.has(row.id))
    .slice(0, limit)
  const lease = statement(db, 'UPDATE deliveries SET next_attempt_at = ?, claimed_by = ?, updated_at = ? WHERE id = ?')
  const unreadable = statement(
    db,
    `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, claimed_by = NULL, updated_at = ? WHERE id = ?`,
  )
  return rows.flatMap((row) => {
    const parsed = parseDelivery(columnsOf(row))
    if (!parsed.ok) {
      // Written by hand or by a version that stored another shape: only the operator can say
      // what it should have been, and the worker must go on with the rest.
      unreadable.run(redactValue(parsed.reason), now, row.id)
      return []
    }
    lease.run(now + leaseMs, owner, now, row.id)
    return [parsed.delivery]
  })
}

/**
 * An erasure (Outbox.rejectUnfinishedWhere): stops the unfinished deliveries `concerns` picks and
 * every other unfinished delivery of their submissions. Run inside a write transaction.
 */
export function stopWhere(
  db: Database.Database,
  concerns: (delivery: DeliveryRecord) => boolean,
  reason: string,
  now: number,
): StoppedDelivery[] {
  const unfinished = records(
    db
      .prepare(`SELECT * FROM deliveries WHERE status IN ${UNFINISHED} AND payload IS NOT NULL ORDER BY id`)
      .all() as Row[],
  )
  const submissions = new Set(unfinished.filter(concerns).map((d) => d.submissionId))
  const stopped = unfinished.filter((d) => submissions.has(d.submissionId))
  const stop = db.prepare(
    `UPDATE deliveries SET status = 'rejected', payload = NULL, last_error = ?, claimed_by = NULL, updated_at = ?
     WHERE id = ? AND status IN ${UNFINISHED}`,
  )
  for (const delivery of stopped) {
    stop.run(reason, now, delivery.id)
  }
  return stopped.map(({ id, formId, target, status }) => ({ id, formId, target, status }))
}

/** The operator's listing: oldest first unless `newestFirst`, at most `limit`. */
export function listWhere(
  db: Database.Database,
  filter: DeliveryFilter & { limit?: number; newestFirst?: boolean },
): DeliveryRecord[] {
  const order = filter.newestFirst ? 'DESC' : 'ASC'
  const rows = db
    .prepare(`SELECT * FROM deliveries WHERE ${FILTER} ORDER BY id ${order} LIMIT @limit`)
    .all({ ...filterParams(filter), limit: filter.limit ?? -1 }) as Row[]
  return records(rows)
}

export function countWhere(db: Database.Database, filter: DeliveryFilter): number {
  return (
    (db.prepare(`SELECT COUNT(*) FROM deliveries WHERE ${FILTER}`).pluck().get(filterParams(filter)) as number) ?? 0
  )
}
