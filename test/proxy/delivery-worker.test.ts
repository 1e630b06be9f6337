// The worker owns its wake-up: a Moments report that became final settles its deliveries at once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Deliverer } from '../../proxy/delivery/dispatch'
import { Outbox } from '../../proxy/delivery/outbox'
import { startOutboxWorker } from '../../proxy/delivery/worker'
import { createMemoryLogger } from '../../proxy/common/log'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true })
  }
})

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'flowform-worker-'))
  dirs.push(dir)
  const outbox = new Outbox(join(dir, 'outbox.db'))
  const payload = { flow: { api: 'moments' as const, campaignId: '1' }, personData: { person: {}, email: 'a@x.ch' } }
  const [delivery] = outbox.add('s', 'f', [{ target: 'flow', payload }], 0)
  outbox.claimDue(1)
  outbox.await(delivery?.id ?? 0, { operationId: 'op-1' }, Date.now() + 3_600_000)
  outbox.release(delivery?.id ?? 0)
  const seen: number[] = []
  const deliverer: Deliverer = {
    deliver: (d) => {
      seen.push(d.id)
      return Promise.resolve({ kind: 'done', status: 'enrolled' })
    },
  }
  const worker = startOutboxWorker({ outbox, deliverer, log: createMemoryLogger().log, autoStart: false })
  return { outbox, worker, seen }
}

describe('worker.wake', () => {
  it('settles the deliveries awaiting the operation now, and only those', async () => {
    const { outbox, worker, seen } = setup()
    await worker.wake('op-other')
    expect(seen).toEqual([])
    await worker.wake('op-1')
    await worker.stop()
    expect(seen).toHaveLength(1)
    expect(outbox.counts()).toMatchObject({ done: 1, awaiting: 0 })
    outbox.close()
  })

  it('does nothing once the worker is stopped', async () => {
    const { outbox, worker, seen } = setup()
    await worker.stop()
    await worker.wake('op-1')
    expect(seen).toEqual([])
    expect(outbox.counts().awaiting).toBe(1)
    outbox.close()
  })
})
