import type { Pool } from 'pg'

/**
 * Spent ALTCHA challenges in the database every instance shares: a solution opens one signup
 * whichever instance it reaches (a load balancer spreads one client's requests). A signature is
 * useless once its challenge expired (20 minutes after it was issued, signup/bots/altcha.ts), so
 * rows older than `keepMinutes` go, at most once a minute, on the database's clock. The shape of
 * signup/bots/spent-challenges.ts `SpentChallenges` (not imported: signup imports delivery).
 */
export class PgSpentChallenges {
  readonly #pool: Pool
  readonly #keepMinutes: number
  #lastSweep = 0

  constructor(pool: Pool, options: { keepMinutes?: number } = {}) {
    this.#pool = pool
    this.#keepMinutes = options.keepMinutes ?? 30
  }

  async spend(signature: string): Promise<boolean> {
    const inserted = await this.#pool.query(
      'INSERT INTO flowform_spent_challenges (signature) VALUES ($1) ON CONFLICT (signature) DO NOTHING',
      [signature],
    )
    if (Date.now() - this.#lastSweep > 60_000) {
      this.#lastSweep = Date.now()
      // Not awaited: the signup does not wait for the sweep, nor fail with it (the next sweep, a
      // minute later, deletes what this one did not).
      this.#pool
        .query(`DELETE FROM flowform_spent_challenges WHERE spent_at < clock_timestamp() - make_interval(mins => $1)`, [
          this.#keepMinutes,
        ])
        .catch(() => {})
    }
    return inserted.rowCount === 1
  }
}
