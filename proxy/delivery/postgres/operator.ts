import type { Pool } from 'pg'
import { redactValue } from '../../common/redact'
import { records, type Row, toRecord } from '../outbox-sql'
import type { DeliveryRecord, DeliveryStatus, DeliveryTarget } from '../payloads'
import type { DeliveryFilter, StoppedDelivery } from '../queue'

/**
 * The operator's side of the PostgreSQL queue (cli/outbox-*.ts, erasure): the same answers as the
 * SQLite outbox gives (outbox.ts), over every instance's deliveries.
 */

const FILTER =
  '($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR form_id = $2) AND ($3::text IS NULL OR target = $3)'
const UNFINISHED = `('pending', 'awaiting', 'failed')`
const RETRY = `UPDATE flowform_deliveries SET status = 'pending', attempts = 0, state = '{}',
  operator_retries = operator_retries + 1, next_attempt_at = $1, updated_at = $1, claimed_by = NULL`

function filterParams(filter: DeliveryFilter): [string | null, string | null, string | null] {
  return [filter.status ?? null, filter.formId ?? null, filter.target ?? null]
}

export async function get(pool: Pool, id: number): Promise<DeliveryRecord | undefined> {
  const { rows } = await pool.query<Row>('SELECT * FROM flowform_deliveries WHERE id = $1', [id])
  return rows[0] ? toRecord(rows[0]) : undefined
}

export async function list(
  pool: Pool,
  filter: DeliveryFilter & { limit?: number; newestFirst?: boolean },
): Promise<DeliveryRecord[]> {
  const order = filter.newestFirst ? 'DESC' : 'ASC'
  const { rows } = await pool.query<Row>(
    `SELECT * FROM flowform_deliveries WHERE ${FILTER} ORDER BY id ${order} LIMIT $4`,
    [...filterParams(filter), filter.limit ?? null],
  )
  return records(rows)
}

export async function count(pool: Pool, filter: DeliveryFilter): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM flowform_deliveries WHERE ${FILTER}`,
    filterParams(filter),
  )
  return rows[0]?.n ?? 0
}

/** Stops a submission's deliveries that have not gone out yet (queue.ts rejectUnfinished). */
export async function rejectUnfinished(pool: Pool, submissionId: string, reason: string, now: number): Promise<number> {
  const result = await pool.query(
    `UPDATE flowform_deliveries SET status = 'rejected', payload = NULL, last_error = $1, updated_at = $2
     WHERE submission_id = $3 AND status = 'pending'`,
    [redactValue(reason), now, submissionId],
  )
  return result.rowCount ?? 0
}

/** The deliveries awaiting one upstream operation, due now (queue.ts wakeAwaiting). */
export async function wakeAwaiting(pool: Pool, operationId: string, now: number): Promise<number> {
  const result = await pool.query(
    `UPDATE flowform_deliveries SET next_attempt_at = $1, updated_at = $1
     WHERE status = 'awaiting' AND next_attempt_at > $1 AND (state::jsonb)->>'operationId' = $2`,
    [now, operationId],
  )
  return result.rowCount ?? 0
}

/** Every pending delivery of these targets due now: their upstream answers again (queue.ts wakeTargets). */
export async function wakeTargets(pool: Pool, targets: readonly DeliveryTarget[], now: number): Promise<number> {
  if (targets.length === 0) {
    return 0
  }
  const result = await pool.query(
    `UPDATE flowform_deliveries SET next_attempt_at = $1, updated_at = $1
     WHERE status = 'pending' AND next_attempt_at > $1 AND target = ANY($2::text[])`,
    [now, [...targets]],
  )
  return result.rowCount ?? 0
}

export async function counts(pool: Pool): Promise<Record<DeliveryStatus, number>> {
  const result: Record<DeliveryStatus, number> = { pending: 0, awaiting: 0, done: 0, failed: 0, rejected: 0 }
  const { rows } = await pool.query<{ status: DeliveryStatus; n: number }>(
    'SELECT status, COUNT(*)::int AS n FROM flowform_deliveries GROUP BY status',
  )
  for (const row of rows) {
    result[row.status] = row.n
  }
  return result
}

export async function tally(pool: Pool): Promise<{ target: DeliveryTarget; status: DeliveryStatus; count: number }[]> {
  const { rows } = await pool.query<{ target: DeliveryTarget; status: DeliveryStatus; count: number }>(
    `SELECT target, status, COUNT(*)::int AS count FROM flowform_deliveries
     GROUP BY target, status ORDER BY target, status`,
  )
  return rows
}

export async function oldest(pool: Pool, status: DeliveryStatus): Promise<DeliveryRecord | undefined> {
  const { rows } = await pool.query<Row>(
    'SELECT * FROM flowform_deliveries WHERE status = $1 ORDER BY created_at, id LIMIT 1',
    [status],
  )
  return rows[0] ? toRecord(rows[0]) : undefined
}

/** outbox.ts retryFailed: failed → pending, due now, a fresh count of attempts; the ids that moved. */
export async function retryFailed(pool: Pool, ids: readonly number[], now: number): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `${RETRY} WHERE status = 'failed' AND id = ANY($2::bigint[]) RETURNING id`,
    [now, ids],
  )
  const moved = new Set(rows.map((row) => row.id))
  return ids.filter((id) => moved.has(id))
}

export async function retryAllFailed(pool: Pool, formId: string | undefined, now: number): Promise<number> {
  const result = await pool.query(`${RETRY} WHERE status = 'failed' AND ($2::text IS NULL OR form_id = $2)`, [
    now,
    formId ?? null,
  ])
  return result.rowCount ?? 0
}

export async function purgeFinished(pool: Pool, before: number): Promise<number> {
  const result = await pool.query(
    `DELETE FROM flowform_deliveries WHERE status IN ('done', 'rejected') AND updated_at < $1`,
    [before],
  )
  return result.rowCount ?? 0
}

/**
 * outbox.ts rejectUnfinishedWhere: the unfinished rows are locked (FOR UPDATE) while `concerns`
 * picks, so no worker of any instance settles one between the look and the change.
 */
export async function rejectUnfinishedWhere(
  pool: Pool,
  concerns: (delivery: DeliveryRecord) => boolean,
  reason: string,
  now: number,
): Promise<StoppedDelivery[]> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<Row>(
      `SELECT * FROM flowform_deliveries WHERE status IN ${UNFINISHED} AND payload IS NOT NULL ORDER BY id FOR UPDATE`,
    )
    const unfinished = records(rows)
    const submissions = new Set(unfinished.filter(concerns).map((d) => d.submissionId))
    const stopped = unfinished.filter((d) => submissions.has(d.submissionId))
    await client.query(
      `UPDATE flowform_deliveries SET status = 'rejected', payload = NULL, last_error = $1, updated_at = $2
       WHERE id = ANY($3::bigint[]) AND status IN ${UNFINISHED}`,
      [redactValue(reason), now, stopped.map((d) => d.id)],
    )
    await client.query('COMMIT')
    return stopped.map(({ id, formId, target, status }) => ({ id, formId, target, status }))
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
