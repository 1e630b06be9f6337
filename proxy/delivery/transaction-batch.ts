interface Waiting {
  work: () => unknown
  resolve: (result: never) => void
  reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

export interface TransactionBatchOptions {
  /** When the queued work runs: the next turn (setImmediate) or the end of this microtask run. */
  schedule: (flush: () => void) => void
  /** Runs `work` in one transaction; throws when the commit fails. */
  transaction: (work: () => void) => void
  /** Whether the transaction is still open: SQLite rolls one back on its own (disk full, I/O error). */
  inTransaction: () => boolean
  /** After a failed batch, for what its work had already done in memory (the outbox's in-flight set). */
  undo?: (results: unknown[]) => void
}

/**
 * Work that many callers ask for at about the same time, run in one transaction so that it pays one
 * commit (and one fsync or WAL write) instead of one each; every caller learns its own result
 * after the commit. One item that throws fails alone (SQLite undid only its statement, or its own
 * savepoint); a failure that rolled the whole transaction back, or a failed commit, fails every
 * item of the batch, since what came after would otherwise commit one by one. Used for the
 * signups (group-commit.ts) and the worker's settles (settle-batch.ts). Written here: it is a few
 * lines over better-sqlite3's own transactions, and a queue library would replace the outbox itself.
 */
export class TransactionBatch {
  readonly #options: TransactionBatchOptions
  #batch: Waiting[] = []

  constructor(options: TransactionBatchOptions) {
    this.#options = options
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#batch.push({ work, resolve: resolve as (result: never) => void, reject }) === 1) {
        this.#options.schedule(() => this.#flush())
      }
    })
  }

  #flush(): void {
    const batch = this.#batch
    this.#batch = []
    const outcomes: Outcome[] = []
    try {
      this.#options.transaction(() => {
        for (const { work } of batch) {
          try {
            outcomes.push({ ok: true, value: work() })
          } catch (error) {
            if (!this.#options.inTransaction()) {
              throw error
            }
            outcomes.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      this.#options.undo?.(outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : [])))
      batch.forEach((waiting) => waiting.reject(error))
      return
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index]
      if (outcome?.ok) {
        waiting.resolve(outcome.value as never)
      } else {
        waiting.reject(outcome?.error)
      }
    })
  }
}
