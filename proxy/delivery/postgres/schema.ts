import pg, { type Pool, type PoolClient } from 'pg'
import type { Logger } from '../../common/log'

/**
 * The PostgreSQL tables of the shared store: the same columns as the SQLite outbox (outbox-sql.ts)
 * so rows read back through the same parser, plus who holds a claim (`claimed_by`, an owner of
 * `flowform_owners` that beats while alive) and the Moments campaign a flow delivery joins
 * (`batch_key`), so that one claim can fill a batch with every instance's signups. Times are
 * milliseconds since the epoch (BIGINT), as in SQLite, taken from the instance's clock; JSON stays
 * text so both backends parse it the same way.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS flowform_deliveries (
  id BIGSERIAL PRIMARY KEY,
  submission_id TEXT NOT NULL,
  form_id TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT,
  state TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  operator_retries INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  batch_key TEXT
);
CREATE INDEX IF NOT EXISTS flowform_deliveries_due ON flowform_deliveries (next_attempt_at, id)
  WHERE status IN ('pending', 'awaiting');
CREATE INDEX IF NOT EXISTS flowform_deliveries_batch ON flowform_deliveries (batch_key, next_attempt_at, id)
  WHERE status = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS flowform_deliveries_submission ON flowform_deliveries (submission_id);
CREATE INDEX IF NOT EXISTS flowform_deliveries_status ON flowform_deliveries (status, created_at);
CREATE INDEX IF NOT EXISTS flowform_deliveries_claimed ON flowform_deliveries (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS flowform_deliveries_operation ON flowform_deliveries (((state::jsonb)->>'operationId'))
  WHERE status = 'awaiting';
CREATE TABLE IF NOT EXISTS flowform_consents (
  id BIGSERIAL PRIMARY KEY,
  submission_id TEXT NOT NULL,
  form_id TEXT NOT NULL,
  accepted_at BIGINT NOT NULL,
  locale TEXT NOT NULL,
  version TEXT NOT NULL,
  page TEXT,
  texts TEXT NOT NULL,
  email TEXT,
  phone TEXT
);
CREATE INDEX IF NOT EXISTS flowform_consents_email ON flowform_consents (email);
CREATE INDEX IF NOT EXISTS flowform_consents_phone ON flowform_consents (phone);
CREATE INDEX IF NOT EXISTS flowform_consents_accepted ON flowform_consents (accepted_at);
CREATE TABLE IF NOT EXISTS flowform_owners (
  id TEXT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  last_beat BIGINT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS flowform_spent_challenges (
  signature TEXT PRIMARY KEY,
  spent_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS flowform_spent_challenges_at ON flowform_spent_challenges (spent_at);
-- The shared Infobip limiter (upstreams/infobip/shared-limiter.ts): the account's pause here, its
-- slots below. next_slot is unused since slots are held until answered; left for older versions.
CREATE TABLE IF NOT EXISTS flowform_limits (
  account TEXT PRIMARY KEY,
  next_slot TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  paused_until TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS flowform_limit_slots (
  account TEXT NOT NULL,
  slot INTEGER NOT NULL,
  free_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
  holder TEXT,
  owner TEXT,
  PRIMARY KEY (account, slot)
);
`

/** Any constant both old and new versions agree on: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x466c6f77 // "Flow"

/**
 * Creates or upgrades the tables. Several instances may start at once: CREATE … IF NOT EXISTS alone
 * races on the catalog (two sessions creating one table, one fails), so the work runs in one
 * transaction under a transaction-scoped advisory lock, and the second instance finds it done.
 */
export async function migrate(pool: Pool): Promise<void> {
  const client: PoolClient = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(SCHEMA)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** BIGINT (ids, times) as numbers: they stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
}

export function createPool(url: string, max: number, log?: Logger): Pool {
  const pool = new pg.Pool({ connectionString: url, max, types })
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', (error) => log?.warn({ err: error }, 'PostgreSQL connection lost; reconnecting'))
  return pool
}
