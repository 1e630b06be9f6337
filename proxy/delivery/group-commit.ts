import { setImmediate as nextTurn } from 'node:timers'
import type { Outbox } from './outbox'
import type { Delivery } from './payloads'

interface Waiting {
  args: Parameters<Outbox['add']>
  resolve: (deliveries: Delivery[]) => void
  reject: (error: unknown) => void
}

/**
 * Group commit for the signup path: the submissions whose requests were read in one turn of the
 * event loop are written in one transaction, so the fsync that `synchronous = FULL` pays per commit
 * is paid once per group, not once per signup. No fixed delay: better-sqlite3 holds the loop while
 * it commits, so the requests that arrive meanwhile are read together and form the next group.
 * (Written here because it is a few lines over the outbox's own transactions; a queue library
 * would replace the outbox itself.) node:timers' setImmediate: untouched by tests' fake timers.
 */
export class GroupCommit {
  #group: Waiting[] = []

  constructor(private readonly outbox: Outbox) {}

  /** Outbox.add, answered once the group it joined is committed. */
  add(...args: Parameters<Outbox['add']>): Promise<Delivery[]> {
    return new Promise((resolve, reject) => {
      if (this.#group.push({ args, resolve, reject }) === 1) {
        nextTurn(() => this.#commit())
      }
    })
  }

  #commit(): void {
    const group = this.#group
    this.#group = []
    let written: (Delivery[] | { error: unknown })[] = []
    try {
      this.outbox.atomically(() => {
        // Each submission in its own savepoint: one that cannot be written does not sink the others.
        written = group.map(({ args }) => {
          try {
            return this.outbox.add(...args)
          } catch (error) {
            return { error }
          }
        })
      })
    } catch (error) {
      // The commit itself failed: nothing of the group is stored, nothing of it is in flight.
      for (const deliveries of written) {
        for (const delivery of Array.isArray(deliveries) ? deliveries : []) {
          this.outbox.release(delivery.id)
        }
      }
      group.forEach((waiting) => waiting.reject(error))
      return
    }
    group.forEach((waiting, index) => {
      const result = written[index]
      if (Array.isArray(result)) {
        waiting.resolve(result)
      } else {
        waiting.reject(result?.error)
      }
    })
  }
}
