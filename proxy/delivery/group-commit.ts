import { setImmediate as nextTurn } from 'node:timers'
import type { Outbox } from './outbox'
import type { Delivery } from './payloads'
import { TransactionBatch } from './transaction-batch'

/**
 * Group commit for the signup path: the submissions whose requests were read in one turn of the
 * event loop are written in one transaction (transaction-batch.ts), so the fsync that
 * `synchronous = FULL` pays per commit is paid once per group, not once per signup. Each
 * submission is its own savepoint (outbox-sql.ts), so one that cannot be written does not sink the
 * others. No fixed delay: better-sqlite3 holds the loop while it commits, so the requests that
 * arrive meanwhile are read together and form the next group. node:timers' setImmediate: untouched
 * by tests' fake timers.
 */
export class GroupCommit {
  readonly #batch: TransactionBatch

  constructor(private readonly outbox: Outbox) {
    this.#batch = new TransactionBatch({
      schedule: nextTurn,
      transaction: (work) => outbox.atomically(work),
      inTransaction: () => outbox.inTransaction,
      // Nothing of a failed group is stored: none of its deliveries is in flight.
      undo: (written) => {
        for (const deliveries of written as Delivery[][]) {
          deliveries.forEach((delivery) => outbox.release(delivery.id))
        }
      },
    })
  }

  /** Outbox.add, answered once the group it joined is committed. */
  add(...args: Parameters<Outbox['add']>): Promise<Delivery[]> {
    return this.#batch.run(() => this.outbox.add(...args))
  }
}
