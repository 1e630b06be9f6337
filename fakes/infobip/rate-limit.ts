// A per-account rolling-second rate limit, as Infobip applies it (429 past the limit).

export class RateLimiter {
  readonly #limit: number | undefined
  readonly #now: () => number
  readonly #hits = new Map<string, number[]>()

  constructor(limit: number | undefined, now: () => number) {
    this.#limit = limit
    this.#now = now
  }

  /** Records the request and says whether it fits in the account's rolling second. */
  allow(account: string): boolean {
    if (this.#limit === undefined) {
      return true
    }
    const now = this.#now()
    const recent = (this.#hits.get(account) ?? []).filter((t) => t > now - 1000)
    if (recent.length >= this.#limit) {
      this.#hits.set(account, recent)
      return false
    }
    recent.push(now)
    this.#hits.set(account, recent)
    return true
  }

  clear(): void {
    this.#hits.clear()
  }
}
