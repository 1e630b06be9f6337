import type { Logger } from '../../common/log'

/** Why a submission was answered like a success and delivered nowhere. */
export type DropReason = 'honeypot' | 'token_missing' | 'token_invalid' | 'token_expired' | 'too_fast'

const MINUTE_MS = 60_000

/**
 * Counts dropped submissions per form and reason, and tells the operator at most once a minute
 * per form (with the counts since the last line), so a bot flood cannot flood the log too.
 */
export class DropCounter {
  readonly #log: Logger
  readonly #now: () => number
  readonly #totals = new Map<string, number>()
  readonly #pending = new Map<string, Partial<Record<DropReason, number>>>()
  readonly #lastLine = new Map<string, number>()

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log
    this.#now = now
  }

  drop(formId: string, reason: DropReason): void {
    this.#totals.set(formId, (this.#totals.get(formId) ?? 0) + 1)
    const pending = this.#pending.get(formId) ?? {}
    pending[reason] = (pending[reason] ?? 0) + 1
    this.#pending.set(formId, pending)
    const now = this.#now()
    const last = this.#lastLine.get(formId)
    if (last === undefined || now - last >= MINUTE_MS) {
      this.#lastLine.set(formId, now)
      this.#pending.delete(formId)
      this.#log.warn(
        { form: formId, dropped: pending, droppedTotal: this.#totals.get(formId) },
        'bot defense dropped submissions (answered like a success, delivered nowhere)',
      )
    }
  }

  /** Every drop of the form since the start. */
  total(formId: string): number {
    return this.#totals.get(formId) ?? 0
  }
}
