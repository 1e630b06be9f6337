import type { Outbox } from './outbox'
import type { DeliveryQueue } from './queue'

/** The queue methods that record an attempt's outcome (settle.ts), the worker's busiest writes. */
const SETTLING = new Set<PropertyKey>(['complete', 'await', 'retryLater', 'fail'])

interface Waiting {
  run: () => boolean
  resolve: (applied: boolean) => void
  reject: (error: unknown) => void
}

/**
 * The embedded outbox as the worker and the signup path use it, with the settles that come due
 * together (in one run of the microtask queue) written in one transaction: a Moments report settles up to 1,000 deliveries at once,
 * and each in its own transaction held the event loop for tens of milliseconds (one WAL write
 * each), which every request waiting meanwhile paid (bench/ingestion.ts, p99). Every caller awaits
 * a settle (queue.ts `Awaitable`), so it sees its result after the commit, as before. The outbox
 * itself stays synchronous for the operator's commands and the tests. A Proxy rather than a
 * subclass or a delegating class: only four methods change, and the others keep their `this`.
 */
export function batchSettles(outbox: Outbox): DeliveryQueue {
  let group: Waiting[] = []
  const flush = (): void => {
    const settling = group
    group = []
    const results: ({ applied: boolean } | { error: unknown })[] = []
    try {
      outbox.settleTogether(() => {
        for (const { run } of settling) {
          try {
            results.push({ applied: run() })
          } catch (error) {
            if (!outbox.inTransaction) {
              // SQLite rolled the whole transaction back (disk full, I/O error): what follows
              // would commit one by one. Abort the group: none of it is recorded, all are told.
              throw error
            }
            // One statement failed and SQLite undid only it: the others stand.
            results.push({ error })
          }
        }
      })
    } catch (error) {
      // The commit failed: none of them is recorded; each caller sees the error (the worker retries).
      settling.forEach((waiting) => waiting.reject(error))
      return
    }
    settling.forEach((waiting, index) => {
      const result = results[index]
      if (result && 'applied' in result) {
        waiting.resolve(result.applied)
      } else {
        waiting.reject(result?.error)
      }
    })
  }
  return new Proxy(outbox, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') {
        return value
      }
      if (!SETTLING.has(property)) {
        return (value as (...args: unknown[]) => unknown).bind(target)
      }
      const settle = value as (...args: unknown[]) => boolean
      return (...args: unknown[]) =>
        new Promise<boolean>((resolve, reject) => {
          if (group.push({ run: () => settle.apply(target, args), resolve, reject }) === 1) {
            // A microtask, not the next turn: the deliveries one answer settles resume together, so
            // they join before it runs, and nothing waits on a timer (nor on a test's fake one).
            queueMicrotask(flush)
          }
        })
    },
  })
}
