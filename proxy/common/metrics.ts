import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * What `GET /metrics` reports (Prometheus text format, prom-client), one registry per runtime
 * rather than prom-client's global default, so that two runtimes in one process (tests, the
 * benchmark) never count into each other. The parts count through this object; the queue's
 * depth and age are read from the queue on each scrape (`watchQueue`), not kept in memory.
 */

/** What a scrape reads from the delivery queue (delivery/queue.ts satisfies it). */
export interface QueueView {
  tally():
    Promise<{ target: string; status: string; count: number }[]> | { target: string; status: string; count: number }[]
  /** The oldest pending delivery of one target (its createdAt), if any. */
  oldestPending(target: string): Promise<number | undefined> | number | undefined
}

/** Seconds, from a fast loopback answer to an upstream timeout (10 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Seconds a call waited for the account limiter: 0 in quiet times, whole seconds after a 429. */
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]

export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const

export class Metrics {
  readonly registry = new Registry()
  readonly signupsAccepted: Counter<'form'>
  readonly signupsDropped: Counter<'form'>
  readonly delivered: Counter<'form' | 'target'>
  readonly failed: Counter<'form' | 'target'>
  readonly upstreamSeconds: Histogram<'upstream' | 'status'>
  readonly upstreamAnswers: Counter<'upstream' | 'status'>
  readonly limiterWaitSeconds: Histogram<'upstream'>
  readonly breakerState: Gauge<'upstream' | 'state'>

  constructor() {
    const registers = [this.registry]
    this.signupsAccepted = new Counter({
      name: 'flowform_signups_accepted_total',
      help: 'Signups stored and answered (enrolled, already enrolled or queued), per form.',
      labelNames: ['form'],
      registers,
    })
    this.signupsDropped = new Counter({
      name: 'flowform_signups_dropped_total',
      help: 'Signups dropped as bots (answered like a success, never stored), per form.',
      labelNames: ['form'],
      registers,
    })
    this.delivered = new Counter({
      name: 'flowform_deliveries_delivered_total',
      help: 'Deliveries the upstream confirmed (enrolled or already there), per form and target.',
      labelNames: ['form', 'target'],
      registers,
    })
    this.failed = new Counter({
      name: 'flowform_deliveries_failed_total',
      help: 'Deliveries failed for the operator (kept in the outbox), per form and target.',
      labelNames: ['form', 'target'],
      registers,
    })
    this.upstreamSeconds = new Histogram({
      name: 'flowform_upstream_request_duration_seconds',
      help: 'Time of each upstream HTTP call, per upstream and answer (status code, "network" or "timeout").',
      labelNames: ['upstream', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.upstreamAnswers = new Counter({
      name: 'flowform_upstream_responses_total',
      help: 'Upstream HTTP calls per upstream and answer (status code, "network" or "timeout").',
      labelNames: ['upstream', 'status'],
      registers,
    })
    this.limiterWaitSeconds = new Histogram({
      name: 'flowform_limiter_wait_seconds',
      help: "Time a call waited for the upstream account's rate limiter before it was sent.",
      labelNames: ['upstream'],
      buckets: WAIT_BUCKETS,
      registers,
    })
    this.breakerState = new Gauge({
      name: 'flowform_upstream_breaker_state',
      help: 'The circuit breaker of each upstream account: 1 for its current state (closed, half-open, open).',
      labelNames: ['upstream', 'state'],
      registers,
    })
  }

  /** The breaker of `upstream` is now in `state` (one-hot over BREAKER_STATES). */
  setBreaker(upstream: string, state: (typeof BREAKER_STATES)[number]): void {
    for (const s of BREAKER_STATES) {
      this.breakerState.set({ upstream, state: s }, s === state ? 1 : 0)
    }
  }

  /** Wraps an upstream's fetch so that every call is timed and counted by its answer. */
  meterFetch(upstream: string, inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const stop = this.upstreamSeconds.startTimer({ upstream })
      let status = 'network'
      try {
        const response = await inner(input, init)
        status = String(response.status)
        return response
      } catch (error) {
        status = isTimeout(error, input, init) ? 'timeout' : 'network'
        throw error
      } finally {
        stop({ status })
        this.upstreamAnswers.inc({ upstream, status })
      }
    }
  }

  /** Queue depth per target and status, and the oldest pending delivery's age per target, read on scrape. */
  watchQueue(queue: QueueView, targets: readonly string[], now: () => number = Date.now): void {
    const registers = [this.registry]
    new Gauge({
      name: 'flowform_queue_depth',
      help: 'Deliveries waiting in the queue, per target and status (pending, awaiting).',
      labelNames: ['target', 'status'],
      registers,
      async collect() {
        this.reset()
        const tally = await queue.tally()
        for (const target of targets) {
          for (const status of ['pending', 'awaiting']) {
            const row = tally.find((t) => t.target === target && t.status === status)
            this.set({ target, status }, row?.count ?? 0)
          }
        }
      },
    })
    new Gauge({
      name: 'flowform_queue_oldest_pending_age_seconds',
      help: 'Age of the oldest pending delivery per target (0 when none is pending).',
      labelNames: ['target'],
      registers,
      async collect() {
        this.reset()
        for (const target of targets) {
          const createdAt = await queue.oldestPending(target)
          this.set({ target }, createdAt === undefined ? 0 : Math.max(0, (now() - createdAt) / 1000))
        }
      },
    })
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/** The clients abort a call only when it ran out of time (ky's timeout, AbortSignal.timeout). */
function isTimeout(error: unknown, input: Parameters<typeof fetch>[0], init: RequestInit | undefined): boolean {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
  return signal?.aborted === true || (error instanceof Error && error.name === 'TimeoutError')
}
