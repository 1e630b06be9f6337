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
 * What the upstream counts is when a request *reaches* it, and that moment is only known to lie
 * between the grant (the caller cannot send earlier) and the answer (it cannot answer earlier).
 * Booking the grant alone is not enough: under CPU load the event loop can send a granted call
 * hundreds of milliseconds late, next to calls granted after it, and the upstream saw 11 in one
 * rolling second (bench/pg-instances.ts, one embedded instance). So a call occupies its slot from
 * the grant until it is settled (the release acquire() hands back: answered, refused or failed),
 * and the window runs from the settlement: a new call is granted only while fewer than `perSecond`
 * calls are in flight or were settled within the last window. Then any `perSecond + 1` arrivals at
 * the upstream are more than a window apart, however late each was sent. The price is throughput:
 * at most `perSecond` calls per (window + margin + latency), e.g. about 8.7/s at 100 ms latency.
 *
 * In-house rather than a library, on purpose: p-throttle (8.x, checked) cannot pause its queue for
 * a 429's Retry-After and books the *scheduled* start of a call, so a late timer can land an 11th
 * call inside the upstream's rolling second; bottleneck has had no release since 2019. What is
 * needed is small: a FIFO queue, the occupied slots, and a pause.
 */

export interface AccountLimiterOptions {
  /** Calls the upstream may see within any rolling `windowMs`. */
  perSecond?: number
  windowMs?: number
  /**
   * Added to the window: a cushion for the upstream's clock and for an aborted request still in
   * transit after its timeout (the release comes when our side gives up, not when the bytes land).
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

/**
 * Handed to a caller with its turn: call it once the call is settled (answered, refused, failed or
 * timed out), before any retry asks for a new turn. Calling it again does nothing.
 */
export type ReleaseCall = () => void

/** What the client needs of a limiter: this in-process one, or shared-limiter.ts across instances. */
export interface CallLimiter {
  /**
   * Resolves when the caller may start its call, with the release to call when it is settled;
   * `retry`: it was turned away by a 429 already.
   */
  acquire(options?: { retry?: boolean }): Promise<ReleaseCall>
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
  /**
   * Calls that still count: in flight (`settledAt` null) or settled less than a window (plus
   * margin) ago. At most `perSecond`, in order of grant.
   */
  #slots: { settledAt: number | null }[] = []
  readonly #queue: ((release: ReleaseCall) => void)[] = []
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
   * Resolves when the caller may start its call, with the release that ends its slot's flight (the
   * window then runs from that moment). `retry` puts the caller at the head of the queue: it
   * already waited once and was turned away.
   */
  acquire(options: { retry?: boolean } = {}): Promise<ReleaseCall> {
    const estimate = this.estimatedWaitMs()
    if (!options.retry && estimate > this.#maxQueueMs) {
      return Promise.reject(new LimiterBusyError(estimate))
    }
    const queuedAt = this.#now()
    return new Promise<ReleaseCall>((resolve) => {
      const admit = (release: ReleaseCall): void => {
        this.#onWait?.(this.#now() - queuedAt)
        resolve(release)
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
    return this.#waitMs(true) + rounds * (this.#windowMs + this.#marginMs)
  }

  /**
   * How long until the next call may be granted; Infinity while every slot is in flight (a
   * release drains the queue then). `settledNow`: count calls in flight as settled at once, for an
   * estimate.
   */
  #waitMs(settledNow = false): number {
    const now = this.#now()
    const span = this.#windowMs + this.#marginMs
    this.#slots = this.#slots.filter((slot) => slot.settledAt === null || slot.settledAt + span > now)
    let free = 0
    if (this.#slots.length >= this.#perSecond) {
      const ends = this.#slots.map((slot) => (slot.settledAt ?? (settledNow ? now : Infinity)) + span - now)
      // The slot that frees first: with `perSecond` slots counted, one free one is enough.
      free = Math.min(...ends)
    }
    return Math.max(0, this.#pausedUntil - now, free)
  }

  #drain(): void {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    while (this.#queue.length > 0) {
      const wait = this.#waitMs()
      if (wait > 0) {
        if (Number.isFinite(wait)) {
          this.#timer = setTimeout(() => {
            this.#timer = null
            this.#drain()
          }, wait)
        }
        return
      }
      const slot: { settledAt: number | null } = { settledAt: null }
      this.#slots.push(slot)
      this.#queue.shift()?.(() => {
        if (slot.settledAt === null) {
          slot.settledAt = this.#now()
          this.#drain()
        }
      })
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
