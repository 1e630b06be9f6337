import type { Outbox } from './outbox'
import type { DeliveryQueue } from './queue'
import { TransactionBatch } from './transaction-batch'

/** The queue methods that record an attempt's outcome (settle.ts), the worker's busiest writes. */
const SETTLING = new Set<PropertyKey>(['complete', 'await', 'retryLater', 'fail'])

/**
 * The embedded outbox as the worker and the signup path use it, with the settles that come due
 * together (in one run of the microtask queue) written in one transaction (transaction-batch.ts):
 * a Moments report settles up to 1,000 deliveries at once, and each in its own transaction held
 * the event loop for tens of milliseconds (one WAL write each), which every request waiting
 * meanwhile paid (bench/ingestion.ts, p99). Every caller awaits a settle (queue.ts `Awaitable`),
 * so it sees its result after the commit, as before. The outbox itself stays synchronous for the
 * operator's commands and the tests. A Proxy rather than a subclass or a delegating class: only
 * four methods change, and the others keep their `this`.
 */
export function batchSettles(outbox: Outbox): DeliveryQueue {
  const batch = new TransactionBatch({
    // A microtask, not the next turn: the deliveries one answer settles resume together, so they
    // join before it runs, and nothing waits on a timer (nor on a test's fake one).
    schedule: queueMicrotask,
    transaction: (work) => outbox.settleTogether(work),
    inTransaction: () => outbox.inTransaction,
  })
  // Made once per method: the worker reaches for them thousands of times a second.
  const methods = new WeakMap<object, unknown>()
  return new Proxy(outbox, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') {
        return value
      }
      let method = methods.get(value)
      if (method === undefined) {
        const call = value as (...args: unknown[]) => unknown
        method = SETTLING.has(property)
          ? (...args: unknown[]) => batch.run(() => call.apply(target, args))
          : call.bind(target)
        methods.set(value, method)
      }
      return method
    },
  })
}
