import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { DEFAULTS } from '../../config/defaults'
import { LimiterBusyError } from './account-limiter'
import type { CallLimiter, ReleaseCall } from './account-limiter'

/**
 * The account limiter of every instance together (FLOWFORM_DATABASE_URL), on the same rule as the
 * in-process one (account-limiter.ts): a call holds one of the account's `perSecond` slots from its
 * grant until it is settled, and the slot frees a window (plus margin) after the settlement. The
 * slots are rows of flowform_limit_slots (created with the delivery tables,
 * delivery/postgres/schema.ts); claiming one and releasing it are single statements timed by
 * PostgreSQL's clock_timestamp(), so the instances' clock skew does not enter. A 429's Retry-After
 * moves flowform_limits.paused_until, and no slot is handed out before it, on any instance.
 *
 * Why not slots spaced on the clock, as this limiter did before (next_slot, 105 ms apart), or
 * rate-limiter-flexible's RateLimiterPostgres spaced the same way: spacing only holds while every
 * call reaches the upstream within the margin (50 ms) of its slot. A caller whose timer fires late
 * on a loaded machine, a slow connect, or the upstream's own queue moves an arrival next to later
 * slots, and eleven land in one second. A slot held until the answer cannot be overtaken: of any
 * `perSecond + 1` arrivals two used the same slot, and the later was granted a window after the
 * earlier was answered, so after it arrived.
 *
 * The cost: two statements per call instead of one, callers of one instance wait in order but
 * instances race for a freed slot (a waiting instance asks again at least every `pollMs`), and at
 * most `perSecond` calls per (window + margin + latency). An instance killed mid-call holds its
 * slot until its owner (flowform_owners, the delivery queue's heartbeat) is STALE_MS (5 s) silent,
 * as its deliveries are: it died at most BEAT_MS after its last beat, so its last call arrived more
 * than a window before that. Without an owner, or if the beat is not seen, the slot frees
 * `maxFlightMs` after the grant (the client's timeout plus a window); never is it held for good.
 * While instances of the spaced version still run against the same account (a rolling upgrade),
 * the two schemes do not see each other.
 */
export interface SharedLimiterOptions {
  pool: Pool
  /** accountKey(): a hash of base URL and credential name, never the secret. */
  account: string
  perSecond: number
  windowMs?: number
  /** Added to the window, as in the local limiter. */
  marginMs?: number
  /** A call that would wait longer is refused at once (LimiterBusyError), as with the local limiter. */
  maxQueueMs?: number
  /** A slot whose holder never released it (killed mid-call) frees this long after its grant. */
  maxFlightMs?: number
  /** This instance's owner id (PgDeliveryQueue.ownerId): its slots free once it stops beating. */
  owner?: string
  /**
   * How long an owner may be silent before it counts as dead: the delivery queue's STALE_MS
   * (delivery/postgres/owner.ts), passed in by delivery/open-store.ts (upstreams do not import delivery).
   */
  ownerStaleMs?: number
  now?: () => number
  /** Longest wait between two claims while every slot is held by a call in flight. */
  pollMs?: number
  /** How a caller waits between claims (tests may count the waits). */
  sleep?: (ms: number) => Promise<void>
}

interface Waiter {
  admit: (release: ReleaseCall) => void
  fail: (error: unknown) => void
}

export class SharedAccountLimiter implements CallLimiter {
  readonly #pool: Pool
  readonly #account: string
  readonly #perSecond: number
  readonly #spanMs: number
  readonly #maxQueueMs: number
  readonly #maxFlightMs: number
  readonly #pollMs: number
  readonly #owner: string | null
  readonly #ownerStaleMs: number
  readonly #now: () => number
  readonly #sleep: (ms: number) => Promise<void>
  readonly #queue: Waiter[] = []
  #ready: Promise<void> | null = null
  #pumping = false
  /**
   * The wait the last refused claim reported (slots in flight counted as answered now), 0 after a
   * grant: the estimate of a new caller's wait starts from it.
   */
  #lastWaitMs = 0
  /** A pause being written: the next claim is made after it, so it lands behind the pause. */
  #pausing: Promise<void> = Promise.resolve()

  constructor(options: SharedLimiterOptions) {
    this.#pool = options.pool
    this.#account = options.account
    this.#perSecond = Math.max(1, Math.floor(options.perSecond))
    this.#spanMs = (options.windowMs ?? 1_000) + (options.marginMs ?? 50)
    this.#maxQueueMs = options.maxQueueMs ?? 10_000
    // The client aborts a call at its timeout, so a call reached the upstream by then if ever: the
    // slot of a holder that never released it (killed) may free a window after that, no later.
    this.#maxFlightMs = options.maxFlightMs ?? DEFAULTS.upstreamTimeoutMs + this.#spanMs
    this.#pollMs = options.pollMs ?? 50
    this.#owner = options.owner ?? null
    this.#ownerStaleMs = options.ownerStaleMs ?? 5_000
    this.#now = options.now ?? Date.now
    this.#sleep =
      options.sleep ?? ((ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()))
  }

  get queued(): number {
    return this.#queue.length
  }

  acquire(options: { retry?: boolean } = {}): Promise<ReleaseCall> {
    // Of this instance's own queue only: callers of other instances show in the reported wait.
    const estimate = this.#lastWaitMs + Math.floor(this.#queue.length / this.#perSecond) * this.#spanMs
    if (!options.retry && estimate > this.#maxQueueMs) {
      return Promise.reject(new LimiterBusyError(estimate))
    }
    return new Promise<ReleaseCall>((admit, fail) => {
      if (options.retry) {
        this.#queue.unshift({ admit, fail })
      } else {
        this.#queue.push({ admit, fail })
      }
      void this.#pump()
    })
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

  /** Claims slots for the head of the queue, one at a time, until the queue is empty. */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      return
    }
    this.#pumping = true
    try {
      while (this.#queue.length > 0) {
        let claim: { slot: number; holder: string } | { waitMs: number }
        try {
          claim = await this.#claim()
        } catch (error) {
          // The database is away: the caller's call fails as an outage would, and is retried later.
          this.#queue.shift()?.fail(error)
          continue
        }
        if ('slot' in claim) {
          this.#lastWaitMs = 0
          this.#queue.shift()?.admit(this.#releaser(claim.slot, claim.holder))
        } else {
          this.#lastWaitMs = claim.waitMs
          await this.#sleep(Math.min(Math.max(1, claim.waitMs), this.#pollMs))
        }
      }
    } finally {
      this.#pumping = false
    }
  }

  async #claim(): Promise<{ slot: number; holder: string } | { waitMs: number }> {
    await (this.#ready ??= this.#pool
      .query(
        `WITH limits AS (INSERT INTO flowform_limits (account) VALUES ($1) ON CONFLICT DO NOTHING)
         INSERT INTO flowform_limit_slots (account, slot) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING`,
        [this.#account, this.#perSecond],
      )
      .then(
        () => {},
        (error: unknown) => {
          this.#ready = null
          throw error
        },
      ))
    await this.#pausing
    const holder = randomUUID()
    const { rows } = await this.#pool.query<{ slot: number | null; wait_ms: number | null }>(
      `WITH paused AS (
         SELECT paused_until FROM flowform_limits WHERE account = $1 AND paused_until > clock_timestamp())
       , free AS (
         SELECT f.slot FROM flowform_limit_slots f
         WHERE f.account = $1 AND f.slot < $2 AND NOT EXISTS (SELECT 1 FROM paused)
           AND (f.free_at <= clock_timestamp()
                -- Held by an instance that stopped beating (owner times are the instances' clocks).
                OR (f.holder IS NOT NULL AND f.owner IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM flowform_owners o WHERE o.id = f.owner AND o.last_beat >= $7)))
         ORDER BY f.free_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       , claimed AS (
         UPDATE flowform_limit_slots s
         SET free_at = clock_timestamp() + $3 * interval '1 millisecond', holder = $4, owner = $6
         FROM free WHERE s.account = $1 AND s.slot = free.slot
         RETURNING s.slot)
       SELECT (SELECT slot FROM claimed) AS slot,
              GREATEST(
                (SELECT EXTRACT(EPOCH FROM paused_until - clock_timestamp()) * 1000 FROM paused),
                -- A slot in flight is counted as if answered now: its free_at is only a deadline.
                (SELECT EXTRACT(EPOCH FROM min(CASE WHEN holder IS NULL THEN free_at
                                                    ELSE clock_timestamp() + $5 * interval '1 millisecond' END)
                                     - clock_timestamp()) * 1000
                 FROM flowform_limit_slots WHERE account = $1 AND slot < $2))::float8 AS wait_ms`,
      [
        this.#account,
        this.#perSecond,
        this.#maxFlightMs,
        holder,
        this.#spanMs,
        this.#owner,
        this.#now() - this.#ownerStaleMs,
      ],
    )
    const row = rows[0]
    if (row?.slot !== null && row?.slot !== undefined) {
      return { slot: row.slot, holder }
    }
    return { waitMs: Math.max(0, row?.wait_ms ?? this.#pollMs) }
  }

  /**
   * Ends the slot's flight: it frees a window (plus margin) from now on the database's clock, which
   * is after the answer came. Only its own holder's claim: a slot that outlived maxFlightMs may be
   * someone else's by now. A failed write leaves the slot to free at maxFlightMs, later but safe.
   */
  #releaser(slot: number, holder: string): ReleaseCall {
    let released = false
    return () => {
      if (released) {
        return
      }
      released = true
      this.#pool
        .query(
          `UPDATE flowform_limit_slots SET free_at = clock_timestamp() + $3 * interval '1 millisecond', holder = NULL, owner = NULL
           WHERE account = $1 AND slot = $2 AND holder = $4`,
          [this.#account, slot, this.#spanMs, holder],
        )
        .then(
          () => {},
          () => {},
        )
    }
  }
}
