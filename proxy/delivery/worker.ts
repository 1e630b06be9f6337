import { DEFAULTS } from '../config/defaults'
import type { Logger } from '../common/log'
import type { Metrics } from '../common/metrics'
import type { Deliverer } from './dispatch'
import { settle } from './settle'
import type { Delivery, DeliveryTarget } from './payloads'
import type { DeliveryQueue } from './queue'
import { targetsOf, type UpstreamHealth } from './upstream-health'

const ADD_WAIT_MS = 20_000

export interface OutboxWorker {
  /** One pass over what is due; resolves with how many deliveries it attempted. */
  runOnce(): Promise<number>
  /**
   * An upstream operation just became final (a Moments report): the deliveries awaiting it are
   * settled now instead of at their next poll. Does nothing once stopped.
   */
  wake(operationId: string): Promise<void>
  /** Passes now, as many as the backlog needs (bounded), instead of at the next tick. */
  kick(): void
  stop(): Promise<void>
}

export interface WorkerDeps {
  outbox: DeliveryQueue
  deliverer: Deliverer
  log: Logger
  intervalMs?: number
  /** Deliveries claimed per pass; default 1,000, Moments' largest batch, so a backlog goes out in full batches. */
  batchSize?: number
  /** Of those, how many one-call-per-delivery attempts (not Moments) run at once; default 50. */
  concurrency?: number
  autoStart?: boolean
  /**
   * The upstreams' circuit breakers: deliveries of an upstream that is down are not claimed, and
   * when it answers again every delivery waiting for it is made due and the worker drains at once.
   */
  health?: UpstreamHealth
  /** Counts delivered and failed deliveries (GET /metrics). */
  metrics?: Metrics
}

/**
 * Retries what the request path could not finish: upstream outages, rate limits, Moments
 * operations still pending. One pass at a time, a bounded batch per pass.
 */
export function startOutboxWorker(deps: WorkerDeps): OutboxWorker {
  let running: Promise<number> | null = null
  let stopped = false
  const batchSize = deps.batchSize ?? 1_000
  const concurrency = deps.concurrency ?? 50

  async function pass(): Promise<number> {
    const due = await claim(deps, batchSize)
    // Moments deliveries of one pass all join the batcher at once (one call for up to 1,000); the
    // others each make their own calls, so only `concurrency` of them are out at a time.
    const batched = due.filter((d) => d.target === 'flow' && d.payload.flow.api === 'moments')
    const single = due.filter((d) => !batched.includes(d))
    const next = (): Promise<void> => {
      const delivery = single.shift()
      return delivery ? attempt(deps, delivery).then(next) : Promise.resolve()
    }
    await Promise.all([
      ...batched.map((delivery) => attempt(deps, delivery)),
      ...Array.from({ length: Math.min(concurrency, single.length) }, next),
    ])
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

  let draining: Promise<void> | null = null
  let again = false
  /** Drains now; a kick during a drain makes it look once more when done, so no wake-up is lost. */
  function kick(): void {
    if (draining) {
      again = true
      return
    }
    draining = (async () => {
      do {
        again = false
        await drain()
      } while (again && !stopped)
    })()
      .catch((error: unknown) => deps.log.error({ err: error }, 'outbox pass failed; the next tick tries again'))
      .finally(() => {
        draining = null
      })
  }

  deps.health?.onChange(({ upstream, state }) => {
    if (state !== 'closed' || stopped) {
      return
    }
    // The upstream answers again: whatever waits for it goes now, not when its own backoff ends.
    // After the pass that carried the probe, so that the deliveries it parked are woken too.
    void (async () => {
      try {
        await running?.catch(() => 0)
        await deps.outbox.wakeTargets(targetsOf(upstream))
        kick()
      } catch (error) {
        deps.log.error({ err: error, upstream }, 'could not wake the deliveries waiting for an upstream')
      }
    })()
  })

  const timer =
    deps.autoStart === false
      ? null
      : setInterval(() => {
          if (!stopped && !running) {
            kick()
          }
        }, deps.intervalMs ?? DEFAULTS.workerIntervalMs)
  timer?.unref()

  return {
    runOnce,
    kick,
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
      await draining
    },
  }
}

const ALL_TARGETS: readonly DeliveryTarget[] = ['flow', 'form-data', 'rapidpro']

/**
 * What is due, but nothing of an upstream that is down (its breaker open or probing), and of an
 * upstream whose open period is over just one delivery: its probe. Claiming a whole batch there
 * would only park all but one of them again.
 */
async function claim(deps: WorkerDeps, batchSize: number): Promise<Delivery[]> {
  const health = deps.health
  if (!health) {
    return deps.outbox.claimDue(batchSize)
  }
  const probing = health.probeReady()
  const skip = [...health.blockedTargets(), ...probing.flatMap((u) => targetsOf(u))]
  const due = await (skip.length > 0
    ? deps.outbox.claimDue(batchSize, undefined, { skipTargets: skip })
    : deps.outbox.claimDue(batchSize))
  for (const upstream of probing) {
    const others = ALL_TARGETS.filter((t) => !targetsOf(upstream).includes(t))
    due.push(...(await deps.outbox.claimDue(1, undefined, { skipTargets: others })))
  }
  return due
}

/** One claimed delivery, attempted and settled; released whatever happens, never throws. */
async function attempt(deps: WorkerDeps, delivery: Delivery): Promise<void> {
  try {
    // Wait for a batched add to go out (bounded), but not for a Moments report: the next pass looks again.
    const outcome = await deps.deliverer.deliver(delivery, { waitMs: 0, addWaitMs: ADD_WAIT_MS })
    await settle(deps.outbox, delivery, outcome, deps.log, deps.metrics ? { metrics: deps.metrics } : {})
  } catch (error) {
    deps.log.error({ err: error, delivery: delivery.id }, 'outbox delivery crashed; it will be retried')
  } finally {
    await deps.outbox.release(delivery.id)
  }
}
