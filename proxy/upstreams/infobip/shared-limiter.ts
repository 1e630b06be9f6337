import type { Pool } from 'pg'
import { LimiterBusyError } from './account-limiter'
import type { CallLimiter, ReleaseCall } from './account-limiter'

/**
 * The account limiter of every instance together (FLOWFORM_DATABASE_URL): each Infobip call
 * reserves the account's next start slot in one row of flowform_limits (created with the delivery
 * tables, delivery/postgres/schema.ts), slots `spacingMs` apart on the database's clock, and waits
 * for it. A 429's Retry-After moves the row's `paused_until`, so every instance pauses.
 *
 * Why a reservation row rather than rate-limiter-flexible's RateLimiterPostgres: the issue measured
 * that library's store, spaced at one request per 105–110 ms, holding 10 in any rolling second
 * across three instances. The reservation does the same spacing on one clock (PostgreSQL's
 * clock_timestamp(), so the instances' clock skew does not enter), costs one round trip per call
 * instead of a poll loop of consume/retry for every waiting caller, keeps callers in order of
 * arrival, and carries the shared pause in the same row. The margin (5 % over 1 s / perSecond:
 * 105 ms at 10/s) absorbs the spread of round trips between instances: ten slots span 945 ms.
 */
export interface SharedLimiterOptions {
  pool: Pool
  /** accountKey(): a hash of base URL and credential name, never the secret. */
  account: string
  perSecond: number
  /** A call that would wait longer is refused at once (LimiterBusyError), as with the local limiter. */
  maxQueueMs?: number
  /** How a caller waits for its slot (tests record the waits instead). */
  sleep?: (ms: number) => Promise<void>
}

export class SharedAccountLimiter implements CallLimiter {
  readonly #pool: Pool
  readonly #account: string
  readonly #spacingMs: number
  readonly #maxQueueMs: number
  readonly #sleep: (ms: number) => Promise<void>
  #waiting = 0
  #ready: Promise<void> | null = null
  /** A pause being written: the next reservation is made after it, so it lands behind the pause. */
  #pausing: Promise<void> = Promise.resolve()

  constructor(options: SharedLimiterOptions) {
    this.#pool = options.pool
    this.#account = options.account
    this.#spacingMs = Math.ceil(1_050 / Math.max(1, options.perSecond))
    this.#maxQueueMs = options.maxQueueMs ?? 10_000
    this.#sleep =
      options.sleep ?? ((ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()))
  }

  get queued(): number {
    return this.#waiting
  }

  async acquire(options: { retry?: boolean } = {}): Promise<ReleaseCall> {
    this.#waiting += 1
    try {
      await (this.#ready ??= this.#pool
        .query('INSERT INTO flowform_limits (account) VALUES ($1) ON CONFLICT DO NOTHING', [this.#account])
        .then(() => {}))
      await this.#pausing
      const { rows } = await this.#pool.query<{ wait_ms: number | null; estimate_ms: number }>(
        `WITH current AS (
           SELECT GREATEST(next_slot, paused_until, clock_timestamp()) AS slot FROM flowform_limits WHERE account = $1 FOR UPDATE)
         , reserved AS (
           UPDATE flowform_limits l SET next_slot = current.slot + $2 * interval '1 millisecond' FROM current
           WHERE l.account = $1 AND ($4::boolean OR current.slot <= clock_timestamp() + $3 * interval '1 millisecond')
           RETURNING current.slot)
         SELECT (SELECT EXTRACT(EPOCH FROM slot - clock_timestamp()) * 1000 FROM reserved)::float8 AS wait_ms,
                (SELECT EXTRACT(EPOCH FROM slot - clock_timestamp()) * 1000 FROM current)::float8 AS estimate_ms`,
        [this.#account, this.#spacingMs, this.#maxQueueMs, options.retry === true],
      )
      const row = rows[0]
      if (!row || row.wait_ms === null) {
        throw new LimiterBusyError(Math.max(0, row?.estimate_ms ?? this.#maxQueueMs))
      }
      await this.#sleep(Math.max(0, row.wait_ms))
      return () => {}
    } finally {
      this.#waiting -= 1
    }
  }

  /** Every instance waits `ms` (a 429's Retry-After); a failed write only loses the shared part. */
  pause(ms: number): void {
    this.#pausing = this.#pausing.then(() =>
      this.#pool
        .query(
          `INSERT INTO flowform_limits AS l (account, paused_until)
           VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
           ON CONFLICT (account) DO UPDATE SET paused_until = GREATEST(l.paused_until, EXCLUDED.paused_until)`,
          [this.#account, ms],
        )
        .then(
          () => {},
          () => {},
        ),
    )
  }
}
