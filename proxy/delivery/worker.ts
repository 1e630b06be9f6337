import { DEFAULTS } from '../config/defaults'
import type { Logger } from '../common/log'
import type { Deliverer } from './dispatch'
import { settle } from './settle'
import type { Delivery } from './payloads'
import type { DeliveryQueue } from './queue'

const ADD_WAIT_MS = 20_000

export interface OutboxWorker {
  /** One pass over what is due; resolves with how many deliveries it attempted. */
  runOnce(): Promise<number>
  /**
   * An upstream operation just became final (a Moments report): the deliveries awaiting it are
   * settled now instead of at their next poll. Does nothing once stopped.
   */
  wake(operationId: string): Promise<void>
  stop(): Promise<void>
}

export interface WorkerDeps {
  outbox: DeliveryQueue
  deliverer: Deliverer
  log: Logger
  intervalMs?: number
  batchSize?: number
  autoStart?: boolean
}

/**
 * Retries what the request path could not finish: upstream outages, rate limits, Moments
 * operations still pending. One pass at a time, a bounded batch per pass.
 */
export function startOutboxWorker(deps: WorkerDeps): OutboxWorker {
  let running: Promise<number> | null = null
  let stopped = false
  const batchSize = deps.batchSize ?? 50

  async function pass(): Promise<number> {
    const due = await deps.outbox.claimDue(batchSize)
    await Promise.all(due.map((delivery) => attempt(deps, delivery)))
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
        }, deps.intervalMs ?? DEFAULTS.workerIntervalMs)
  timer?.unref()

  return {
    runOnce,
    async wake(operationId) {
      try {
        if (!stopped && (await deps.outbox.wakeAwaiting(operationId)) > 0 && !stopped) {
          void runOnce()
        }
      } catch (error) {
        // Only a shortcut: the deliveries are polled again anyway (retry-policy.ts REPORT_POLL_MS).
        deps.log.error({ err: error, operationId }, 'could not wake the deliveries awaiting an operation')
      }
    },
    async stop() {
      stopped = true
      if (timer) {
        clearInterval(timer)
      }
      await running
    },
  }
}

/** One claimed delivery, attempted and settled; released whatever happens, never throws. */
async function attempt(deps: WorkerDeps, delivery: Delivery): Promise<void> {
  try {
    // Wait for a batched add to go out (bounded), but not for a Moments report: the next pass looks again.
    const outcome = await deps.deliverer.deliver(delivery, { waitMs: 0, addWaitMs: ADD_WAIT_MS })
    await settle(deps.outbox, delivery, outcome, deps.log)
  } catch (error) {
    deps.log.error({ err: error, delivery: delivery.id }, 'outbox delivery crashed; it will be retried')
  } finally {
    await deps.outbox.release(delivery.id)
  }
}
