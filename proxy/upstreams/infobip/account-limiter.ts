import { createHash } from 'node:crypto'
import { DEFAULTS } from '../../config/defaults'
import type { InfobipAuth } from '../../config/env'
import { UpstreamCallError } from '../errors'

/**
 * Infobip throttles per account: 10 requests per second on add-participants, its report, the
 * legacy flow API and form data (upstream-apis.md 2.5). Every call Flowform makes to one account
 * waits its turn here, whichever feature makes it, so a burst of views or reports cannot starve
 * enrolments into 429s.
 *
 * In-house rather than a library, on purpose: p-throttle (8.x, checked) cannot pause its queue for
 * a 429's Retry-After and books the *scheduled* start of a call, so a late timer can land an 11th
 * call inside the upstream's rolling second; bottleneck has had no release since 2019. What is
 * needed is small: a FIFO queue, a sliding window of *actual* start times, and a pause.
 */

export interface AccountLimiterOptions {
  /** Calls allowed to start within any rolling `windowMs`. */
  perSecond?: number
  windowMs?: number
  /**
   * Added to the window: the upstream's clock starts counting a little after ours (event loop,
   * network), so without a margin a call that is exactly on time for us can be early for it.
   */
  marginMs?: number
  /**
   * A call that would wait longer than this in the queue is refused at once with
   * LimiterBusyError, so that a signup goes to the outbox instead of holding a browser open.
   */
  maxQueueMs?: number
  now?: () => number
  /** Told how long each admitted call waited for its turn (GET /metrics: limiter waits). */
  onWait?: (waitedMs: number) => void
}

/** The account's queue is too long right now; the caller should try again later (transient). */
export class LimiterBusyError extends UpstreamCallError {
  override name = 'LimiterBusyError' as const
  constructor(readonly waitMs: number) {
    const seconds = Math.ceil(waitMs / 1000)
    super('infobip', `Infobip account limiter is busy (about ${seconds} s of queued calls)`, {
      transient: true,
      retryAfterSeconds: seconds,
      heldBack: true,
    })
  }
}

/** What the client needs of a limiter: this in-process one, or shared-limiter.ts across instances. */
export interface CallLimiter {
  /** Resolves when the caller may start its call; `retry`: it was turned away by a 429 already. */
  acquire(options?: { retry?: boolean }): Promise<void>
  /** Nobody starts a call before `ms` from now. */
  pause(ms: number): void
  /** Callers waiting now. */
  readonly queued: number
}

export class AccountLimiter implements CallLimiter {
  readonly #perSecond: number
  readonly #windowMs: number
  readonly #marginMs: number
  readonly #maxQueueMs: number
  readonly #now: () => number
  readonly #onWait: ((waitedMs: number) => void) | undefined
  /** Start times of the last `perSecond` calls, oldest first. */
  readonly #starts: number[] = []
  readonly #queue: (() => void)[] = []
  #pausedUntil = 0
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(options: AccountLimiterOptions = {}) {
    this.#perSecond = Math.max(1, Math.floor(options.perSecond ?? DEFAULTS.infobipRequestsPerSecond))
    this.#windowMs = options.windowMs ?? 1_000
    this.#marginMs = options.marginMs ?? 50
    this.#maxQueueMs = options.maxQueueMs ?? 10_000
    this.#now = options.now ?? Date.now
    this.#onWait = options.onWait
  }

  /**
   * Resolves when the caller may start its call; the start is booked at that moment. `retry`
   * puts the caller at the head of the queue: it already waited once and was turned away.
   */
  acquire(options: { retry?: boolean } = {}): Promise<void> {
    const estimate = this.estimatedWaitMs()
    if (!options.retry && estimate > this.#maxQueueMs) {
      return Promise.reject(new LimiterBusyError(estimate))
    }
    const queuedAt = this.#now()
    return new Promise<void>((resolve) => {
      const admit = (): void => {
        this.#onWait?.(this.#now() - queuedAt)
        resolve()
      }
      if (options.retry) {
        this.#queue.unshift(admit)
      } else {
        this.#queue.push(admit)
      }
      this.#drain()
    })
  }

  /** Nobody starts a call before `ms` from now (a 429 answer pauses the whole account). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms)
    this.#drain()
  }

  get queued(): number {
    return this.#queue.length
  }

  /** Roughly how long a call queued now would wait. */
  estimatedWaitMs(): number {
    const rounds = Math.floor(this.#queue.length / this.#perSecond)
    return this.#waitMs() + rounds * (this.#windowMs + this.#marginMs)
  }

  #waitMs(): number {
    const now = this.#now()
    const oldest =
      this.#starts.length >= this.#perSecond ? (this.#starts[0] ?? 0) + this.#windowMs + this.#marginMs - now : 0
    return Math.max(0, this.#pausedUntil - now, oldest)
  }

  #drain(): void {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    while (this.#queue.length > 0) {
      const wait = this.#waitMs()
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null
          this.#drain()
        }, wait)
        return
      }
      this.#starts.push(this.#now())
      if (this.#starts.length > this.#perSecond) {
        this.#starts.shift()
      }
      this.#queue.shift()?.()
    }
  }
}

const shared = new Map<string, AccountLimiter>()

/** Identifies an account without keeping its secret: base URL plus API key or user name, hashed. */
export function accountKey(account: { baseUrl: string; auth: InfobipAuth }): string {
  const { auth } = account
  const who =
    auth.kind === 'app'
      ? `app:${auth.apiKey}`
      : auth.kind === 'oauth'
        ? `oauth:${auth.clientId}`
        : `user:${auth.username}`
  return createHash('sha256')
    .update(`${account.baseUrl.replace(/\/+$/, '').toLowerCase()}\n${who}`)
    .digest('hex')
}

/**
 * The one limiter of an account in this process: every client built for the same base URL and
 * credentials shares it. The first caller's options win.
 */
export function sharedAccountLimiter(
  account: { baseUrl: string; auth: InfobipAuth },
  options: AccountLimiterOptions = {},
): AccountLimiter {
  const key = accountKey(account)
  let limiter = shared.get(key)
  if (!limiter) {
    limiter = new AccountLimiter(options)
    shared.set(key, limiter)
  }
  return limiter
}

/** Pause after a 429 that names no Retry-After: 1 s, 2 s, 4 s … up to 30 s, with some jitter. */
export function rateLimitBackoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** attempt)
  return base * (0.75 + random() * 0.5)
}
