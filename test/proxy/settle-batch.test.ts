// The embedded outbox's settles, grouped (delivery/settle-batch.ts): the deliveries one answer
// settles are written in one transaction, and each caller still learns its own result.
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Outbox } from '../../proxy/delivery/outbox'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { batchSettles } from '../../proxy/delivery/settle-batch'
import { tempDir } from '../helpers/temp-dir'

const open: Outbox[] = []
afterEach(() => {
  for (const outbox of open.splice(0)) {
    outbox.close()
  }
})

function outbox(): Outbox {
  const opened = new Outbox(join(tempDir('settle-batch'), 'outbox.db'))
  open.push(opened)
  return opened
}

const legacy = (email: string): PlannedDelivery => ({
  target: 'flow',
  payload: { flow: { api: 'legacy', campaignId: '1' }, personData: { person: {}, email } },
})

describe('batchSettles', () => {
  it('writes the settles that come due together in one transaction, each caller getting its result', async () => {
    const store = outbox()
    const ids = Array.from({ length: 50 }, (_, i) => store.add(`s${i}`, 'f', [legacy(`p${i}@x.ch`)])[0]?.id ?? 0)
    const stopped = ids[7] ?? 0
    store.reject([stopped], 'stopped by the operator')
    const together = vi.spyOn(store, 'settleTogether')
    const queue = batchSettles(store)
    const results = await Promise.all(
      ids.map((id, i) => (i % 2 === 0 ? queue.complete(id, 'enrolled') : queue.retryLater(id, 'busy', 5_000))),
    )
    expect(together).toHaveBeenCalledTimes(1)
    expect(results.filter((applied) => !applied)).toHaveLength(1)
    expect(results[7]).toBe(false)
    expect(store.counts()).toMatchObject({ done: 25, pending: 24, rejected: 1 })
    expect(store.get(ids[1] ?? 0)?.lastError).toBe('busy')
  })

  it('settles that come one after another are each written (none waits for company)', async () => {
    const store = outbox()
    const [a, b] = ['a', 'b'].map((name) => store.add(name, 'f', [legacy(`${name}@x.ch`)])[0]?.id ?? 0)
    const queue = batchSettles(store)
    expect(await queue.complete(a ?? 0, 'enrolled')).toBe(true)
    expect(store.get(a ?? 0)?.status).toBe('done')
    expect(await queue.fail(b ?? 0, 'refused')).toBe(true)
    expect(store.get(b ?? 0)?.status).toBe('failed')
  })

  it('one settle that throws fails alone; a commit that fails fails them all', async () => {
    const store = outbox()
    const [a, b] = ['a', 'b'].map((name) => store.add(name, 'f', [legacy(`${name}@x.ch`)])[0]?.id ?? 0)
    const queue = batchSettles(store)
    const state = { circular: {} as Record<string, unknown> }
    state.circular.self = state.circular
    const [bad, good] = await Promise.allSettled([
      queue.await(a ?? 0, state as never, 1_000),
      queue.complete(b ?? 0, 'enrolled'),
    ])
    expect(bad.status).toBe('rejected')
    expect(good).toEqual({ status: 'fulfilled', value: true })
    vi.spyOn(store, 'settleTogether').mockImplementation(() => {
      throw new Error('disk I/O error')
    })
    await expect(queue.complete(a ?? 0, 'enrolled')).rejects.toThrow('disk I/O error')
    // Everything else passes through, bound to the outbox.
    expect(queue.counts()).toMatchObject({ done: 1, pending: 1 })
  })

  it('a failure that rolled the whole transaction back aborts the group: every caller hears it', async () => {
    const store = outbox()
    const [a, b] = ['a', 'b'].map((name) => store.add(name, 'f', [legacy(`${name}@x.ch`)])[0]?.id ?? 0)
    const queue = batchSettles(store)
    let rolledBack = false
    const realGet = Object.getOwnPropertyDescriptor(Outbox.prototype, 'inTransaction')?.get
    vi.spyOn(store, 'inTransaction', 'get').mockImplementation(() => !rolledBack && (realGet?.call(store) as boolean))
    vi.spyOn(store, 'fail').mockImplementationOnce(() => {
      rolledBack = true
      throw new Error('database or disk is full')
    })
    const results = await Promise.allSettled([queue.fail(a ?? 0, 'refused'), queue.complete(b ?? 0, 'enrolled')])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(store.counts()).toMatchObject({ pending: 2, done: 0 })
  })
})
