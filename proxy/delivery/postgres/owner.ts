import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Pool } from 'pg'
import type { Logger } from '../../common/log'

/**
 * This process as a holder of claims in the shared store (issue 12): a row in flowform_owners whose
 * `last_beat` moves every BEAT_MS. A claim whose owner has not beaten for STALE_MS belongs to a dead
 * (or frozen) process and any instance may take it, so a `kill -9` delays its signups by seconds,
 * not by a lease. Beats use the instance's clock, like the rest of the store's times; NTP keeps
 * instances within milliseconds of each other, far below STALE_MS.
 */
export const BEAT_MS = 1_000
export const STALE_MS = 5_000
/** Rows of owners gone this long are deleted: their claims are free anyway. */
const FORGET_MS = 3_600_000

export class Owner {
  readonly id = randomUUID()
  #timer: ReturnType<typeof setInterval> | null = null
  #beating: Promise<void> | null = null

  constructor(
    private readonly pool: Pool,
    private readonly now: () => number,
    private readonly log?: Logger,
  ) {}

  /** Registers the owner and starts beating (unref'd: it never keeps the process alive). */
  async start(): Promise<void> {
    const now = this.now()
    await this.pool.query(
      'INSERT INTO flowform_owners (id, started_at, last_beat, host, pid) VALUES ($1, $2, $2, $3, $4)',
      [this.id, now, hostname(), process.pid],
    )
    this.#timer = setInterval(() => {
      this.#beating ??= this.beat().finally(() => {
        this.#beating = null
      })
    }, BEAT_MS)
    this.#timer.unref()
  }

  /** One beat; also forgets long-dead owners. A failed beat is logged: the next one may succeed. */
  async beat(): Promise<void> {
    const now = this.now()
    try {
      await this.pool.query('UPDATE flowform_owners SET last_beat = $2 WHERE id = $1', [this.id, now])
      await this.pool.query('DELETE FROM flowform_owners WHERE last_beat < $1', [now - FORGET_MS])
    } catch (error) {
      this.log?.warn({ err: error }, 'could not record the heartbeat in PostgreSQL; retrying')
    }
  }

  /** Stops beating, gives back every claim and removes the row: a clean stop frees its work at once. */
  async stop(): Promise<void> {
    if (this.#timer) {
      clearInterval(this.#timer)
      this.#timer = null
    }
    await this.#beating
    await this.pool.query('UPDATE flowform_deliveries SET claimed_by = NULL WHERE claimed_by = $1', [this.id])
    await this.pool.query('DELETE FROM flowform_owners WHERE id = $1', [this.id])
  }
}

/**
 * SQL for "nobody alive holds this row", `$me` and `$since` being the parameters' positions: the row
 * is unclaimed, or its owner is not this process and has not beaten since `$since`.
 */
export function claimable(me: string, since: string): string {
  return `(d.claimed_by IS NULL OR (d.claimed_by <> ${me} AND NOT EXISTS (
    SELECT 1 FROM flowform_owners o WHERE o.id = d.claimed_by AND o.last_beat >= ${since})))`
}
