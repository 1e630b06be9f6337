// Issue 12 "heal once, drain at once": a one-hour outage on a fake clock. While the upstream is
// down, one probe at a time tests it and the deliveries spend no attempts; the first successful
// probe wakes all of them and the queue drains within seconds, not each at its own backoff.
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryLogger } from '../../proxy/common/log'
import { Metrics } from '../../proxy/common/metrics'
import { type Deliverer, guardedDeliverer } from '../../proxy/delivery/dispatch'
import type { DeliveryOutcome } from '../../proxy/delivery/outcome'
import { Outbox } from '../../proxy/delivery/outbox'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { UpstreamHealth } from '../../proxy/delivery/upstream-health'
import { type OutboxWorker, startOutboxWorker } from '../../proxy/delivery/worker'
import { tempDir } from '../helpers/temp-dir'

let worker: OutboxWorker | undefined
let outbox: Outbox | undefined
afterEach(async () => {
  await worker?.stop()
  outbox?.close()
  vi.useRealTimers()
})

const HOUR = 3_600_000
const N = 300

const planned = (i: number): PlannedDelivery => ({
  target: 'flow',
  payload: { flow: { api: 'legacy', campaignId: '1' }, personData: { person: {}, email: `p${i}@x.ch` } },
})

describe('a one-hour outage', () => {
  it('costs one probe at a time, and drains within seconds of the first successful probe', async () => {
    vi.useFakeTimers({ now: 0 })
    outbox = new Outbox(join(tempDir('outage'), 'outbox.db'))
    for (let i = 0; i < N; i++) {
      // Accepted while Infobip was down; the requests are over (released), the worker has them.
      for (const delivery of outbox.add(`s${i}`, 'f', [planned(i)], 0)) {
        outbox.release(delivery.id)
      }
    }
    let down = true
    const attemptsAt: number[] = []
    const delivered = new Map<number, number>()
    const upstream: Deliverer = {
      deliver(delivery): Promise<DeliveryOutcome> {
        attemptsAt.push(Date.now())
        if (down) {
          return Promise.resolve({ kind: 'retry', reason: 'Infobip answered 503', unavailable: true })
        }
        delivered.set(delivery.id, (delivered.get(delivery.id) ?? 0) + 1)
        return Promise.resolve({ kind: 'done', status: 'enrolled' })
      },
    }
    const memory = createMemoryLogger()
    const health = new UpstreamHealth(memory.log)
    const metrics = new Metrics()
    worker = startOutboxWorker({
      outbox,
      deliverer: guardedDeliverer(upstream, health),
      log: memory.log,
      health,
      metrics,
      intervalMs: 1_000,
    })

    await vi.advanceTimersByTimeAsync(HOUR)
    expect(health.state('infobip')).toBe('open')
    // The first pass (50 at once) went out before the breaker knew; after that, one probe per
    // open period (at most every 5 s): about 720 in the hour, not 300 deliveries each retrying.
    const duringOutage = attemptsAt.length
    expect(duringOutage).toBeLessThan(50 + HOUR / 5_000 + 10)
    expect(outbox.counts()).toMatchObject({ pending: N, done: 0, failed: 0 })
    const worst = Math.max(...outbox.list({ status: 'pending' }).map((d) => d.attempts))
    expect(worst).toBeLessThan(10)

    down = false
    const healedAt = Date.now()
    for (let ms = 0; ms < 10_000 && outbox.counts().done < N; ms += 100) {
      await vi.advanceTimersByTimeAsync(100)
    }
    const firstSuccess = attemptsAt[duringOutage] ?? Infinity
    expect(firstSuccess - healedAt).toBeLessThanOrEqual(6_000)
    expect(outbox.counts()).toMatchObject({ pending: 0, done: N })
    expect(Date.now() - firstSuccess).toBeLessThanOrEqual(1_000)
    // While it was down: one probe per open period, never a batch parked and parked again.
    expect(duringOutage - 50).toBeLessThanOrEqual(HOUR / 5_000 + 1)
    // Exactly once each.
    expect([...delivered.values()].every((n) => n === 1)).toBe(true)
    expect(delivered.size).toBe(N)
    expect(health.state('infobip')).toBe('closed')
    const text = await metrics.text()
    expect(text).toMatch(/flowform_deliveries_delivered_total\{form="f",target="flow"\} 300/)
  }, 30_000)
})
