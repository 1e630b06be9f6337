import type { Logger } from '../common/log'
import type { Metrics } from '../common/metrics'
import { DEFAULTS } from '../config/defaults'
import { removeBreakerFile, writeBreakerFile } from './breaker-file'
import { createDeliverer, type Deliverer, type DeliveryUpstreams, guardedDeliverer } from './dispatch'
import type { DeliveryStore } from './open-store'
import type { DeliveryTarget } from './payloads'
import type { DeliveryQueue } from './queue'
import { type BreakerOptions, UpstreamHealth } from './upstream-health'
import { type OutboxWorker, startOutboxWorker } from './worker'

export interface DeliverySetup {
  outbox: DeliveryQueue
  deliverer: Deliverer
  worker: OutboxWorker
  health: UpstreamHealth
  close(): Promise<void>
}

export interface DeliveryOptions {
  /** Where deliveries live (open-store.ts): the embedded outbox or the shared PostgreSQL store. */
  store: DeliveryStore
  /** Where this server's breaker states are written for `flowform outbox`. */
  dataDir: string
  /** false: no worker passes (an ingress-only instance leaves delivery to `flowform worker`). */
  autoStart?: boolean | undefined
  log: Logger
  upstreams: DeliveryUpstreams
  metrics: Metrics
  workerIntervalMs?: number | undefined
  workerBatchSize?: number | undefined
  breaker?: BreakerOptions | undefined
}

const TARGETS: readonly DeliveryTarget[] = ['flow', 'form-data', 'rapidpro']

/**
 * The delivery side of the server: the queue, the upstreams' circuit breakers, the deliverer every
 * attempt goes through, and the worker. A server is the embedded queue file's only owner, so what
 * an earlier process left claimed (kill -9, a crash, a deploy) is due at once; on PostgreSQL the
 * claims of an instance that stopped beating are released by the others (postgres/pg-queue.ts).
 */
export function startDelivery(options: DeliveryOptions): DeliverySetup {
  const { log, metrics, dataDir, store } = options
  const outbox = store.queue
  const released = store.outbox?.releaseStaleClaims() ?? 0
  if (released > 0) {
    log.info({ deliveries: released }, 'deliveries claimed by the previous process are due now')
  }
  const health = new UpstreamHealth(log, options.breaker)
  const publish = (): void => {
    try {
      writeBreakerFile(dataDir, health.snapshots())
    } catch (error) {
      // Only the operator's view: delivery goes on without it.
      log.warn({ err: error }, 'could not write the breaker states for `flowform outbox`')
    }
  }
  for (const { upstream, state } of health.snapshots()) {
    metrics.setBreaker(upstream, state)
  }
  health.onChange(({ upstream, state }) => {
    metrics.setBreaker(upstream, state)
    publish()
  })
  publish()
  metrics.watchQueue(
    {
      tally: () => outbox.tally(),
      oldestPending: async (target) =>
        (await outbox.list({ status: 'pending', target: target as DeliveryTarget, limit: 1 }))[0]?.createdAt,
    },
    TARGETS,
  )
  const deliverer = guardedDeliverer(createDeliverer(options.upstreams), health)
  const worker = startOutboxWorker({
    outbox,
    deliverer,
    log,
    health,
    metrics,
    // Shared store: instant signups are left to the workers, so they look often (a cheap indexed query).
    intervalMs:
      options.workerIntervalMs ??
      (store.kind === 'postgres' ? DEFAULTS.sharedWorkerIntervalMs : DEFAULTS.workerIntervalMs),
    ...(options.autoStart === false ? { autoStart: false } : {}),
    ...(options.workerBatchSize !== undefined ? { batchSize: options.workerBatchSize } : {}),
  })
  return {
    outbox,
    deliverer,
    worker,
    health,
    async close() {
      await worker.stop()
      removeBreakerFile(dataDir)
    },
  }
}
