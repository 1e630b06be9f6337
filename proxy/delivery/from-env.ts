import type { Logger } from '../common/log'
import type { Metrics } from '../common/metrics'
import { DEFAULTS } from '../config/defaults'
import { removeBreakerFile, writeBreakerFile } from './breaker-file'
import { createDeliverer, type Deliverer, type DeliveryUpstreams, guardedDeliverer } from './dispatch'
import { Outbox } from './outbox'
import type { DeliveryTarget } from './payloads'
import { type BreakerOptions, UpstreamHealth } from './upstream-health'
import { type OutboxWorker, startOutboxWorker } from './worker'

export interface DeliverySetup {
  outbox: Outbox
  deliverer: Deliverer
  worker: OutboxWorker
  health: UpstreamHealth
  close(): Promise<void>
}

export interface DeliveryOptions {
  dataDir: string
  log: Logger
  upstreams: DeliveryUpstreams
  metrics: Metrics
  workerIntervalMs?: number | undefined
  workerBatchSize?: number | undefined
  breaker?: BreakerOptions | undefined
}

const TARGETS: readonly DeliveryTarget[] = ['flow', 'form-data', 'rapidpro']

/**
 * The delivery side of the server: the embedded queue, the upstreams' circuit breakers, the
 * deliverer every attempt goes through, and the worker. The server is the queue file's only owner,
 * so what an earlier process left claimed (kill -9, a crash, a deploy) is due at once.
 */
export function startDelivery(options: DeliveryOptions): DeliverySetup {
  const { log, metrics, dataDir } = options
  const outbox = Outbox.open(dataDir)
  const released = outbox.releaseStaleClaims()
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
      oldestPending: (target) =>
        outbox.list({ status: 'pending', target: target as DeliveryTarget, limit: 1 })[0]?.createdAt,
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
    intervalMs: options.workerIntervalMs ?? DEFAULTS.workerIntervalMs,
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
