import type { Logger } from '../log'
import type { Deliverer } from './dispatch'
import { settle } from './settle'
import type { Outbox } from './outbox'

const ADD_WAIT_MS = 20_000

export interface OutboxWorker {
  /** One pass over what is due; resolves with how many deliveries it attempted. */
  runOnce(): Promise<number>
  stop(): Promise<void>
}

/**
 * Retries what the request path could not finish: upstream outages, rate limits, Moments
 * operations still pending. One pass at a time, a bounded batch per pass.
 */
export function startOutboxWorker(deps: {
  outbox: Outbox
  deliverer: Deliverer
  log: Logger
  intervalMs?: number
  batchSize?: number
  autoStart?: boolean
}): OutboxWorker {
  let running: Promise<number> | null = null
  let stopped = false
  const batchSize = deps.batchSize ?? 50

  async function pass(): Promise<number> {
    const due = deps.outbox.claimDue(batchSize)
    await Promise.all(
      due.map(async (delivery) => {
        try {
          // Wait for a batched add to go out (bounded), but not for a Moments report: the next pass looks again.
          const outcome = await deps.deliverer.deliver(delivery, { waitMs: 0, addWaitMs: ADD_WAIT_MS })
          settle(deps.outbox, delivery, outcome, deps.log)
        } catch (error) {
          deps.log.error({ err: error, delivery: delivery.id }, 'outbox delivery crashed; it will be retried')
        } finally {
          deps.outbox.release(delivery.id)
        }
      }),
    )
    return due.length
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }

  /** After an outage the backlog is large: keep passing while passes come back full, up to a bound. */
  async function drain(): Promise<void> {
    for (let i = 0; i < 20 && !stopped; i++) {
      if ((await runOnce()) < batchSize) {
        return
      }
    }
  }

  const timer =
    deps.autoStart === false
      ? null
      : setInterval(() => {
          if (!stopped && !running) {
            void drain()
          }
        }, deps.intervalMs ?? 1_000)
  timer?.unref()

  return {
    runOnce,
    async stop() {
      stopped = true
      if (timer) {
        clearInterval(timer)
      }
      await running
    },
  }
}
