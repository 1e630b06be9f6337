import { RateLimitError } from '../../common/errors'
import type { Logger } from '../../common/log'

const MINUTE_MS = 60_000

/**
 * A form's ceiling on signups per minute from all clients together (`botDefense.maxPerMinute`):
 * what per-client limits cannot stop when a script rotates addresses. Counted per calendar
 * minute, in this instance. Beyond it, 429 and one warning per minute per form to alert on.
 */
export class SignupCeiling {
  readonly #log: Logger
  readonly #now: () => number
  readonly #windows = new Map<string, { minute: number; count: number; warned: boolean }>()

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log
    this.#now = now
  }

  /** Counts one signup of the form, or throws RateLimitError once `maxPerMinute` are in. */
  take(formId: string, maxPerMinute: number): void {
    const now = this.#now()
    const minute = Math.floor(now / MINUTE_MS)
    let window = this.#windows.get(formId)
    if (!window || window.minute !== minute) {
      window = { minute, count: 0, warned: false }
      this.#windows.set(formId, window)
    }
    if (window.count < maxPerMinute) {
      window.count += 1
      return
    }
    if (!window.warned) {
      window.warned = true
      this.#log.warn(
        { form: formId, maxPerMinute, alert: 'form_signup_ceiling' },
        'form signup ceiling reached: further signups this minute are refused with 429',
      )
    }
    const retryAfter = Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - now) / 1_000))
    throw new RateLimitError(retryAfter, 'This form is taking many signups right now. Please try again in a minute.')
  }
}
