import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../proxy/config/load'
import { confirmationOf } from '../../proxy/config/schema'
import { openDatabase } from '../../proxy/delivery/outbox-sql'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { advancedUntil, advancedWhile } from '../helpers/fake-clock'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

let proxy: TestProxy | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  proxy = undefined
})

const LEGACY = SANDBOX_SEED.legacyCampaignId
const MOMENTS = SANDBOX_SEED.momentsCampaignId

function form(id: string, flow: 'moments' | 'legacy', confirmation?: 'instant' | 'flow') {
  return {
    id,
    allowedOrigins: [SHOP],
    fields: [{ name: 'email', type: 'email', required: true }],
    flow: { api: flow, campaignId: flow === 'moments' ? MOMENTS : LEGACY },
    ...(confirmation ? { confirmation } : {}),
  }
}

const legacyCalls = (p: TestProxy) => (p.fake?.requests ?? []).filter((r) => r.path.startsWith('/communication/'))

describe('confirmation: "instant" (the default)', () => {
  it('answers 202 queued without waiting for a hanging upstream, then delivers in the background, once', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ config: { forms: [form('instant', 'legacy', 'instant')] } })
    proxy.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 200, delayMs: 5_000 })
    const res = await advancedUntil(proxy.submit('instant', { email: 'hang@example.com' }), 10)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(Date.now()).toBeLessThan(100)
    // The background attempt is out: the worker leaves it alone.
    await advancedUntil(proxy.worker.runOnce())
    expect(legacyCalls(proxy)).toHaveLength(1)
    await advancedWhile(() => proxy?.outbox.counts().done === 0)
    expect(proxy.outbox.counts().done).toBe(1)
    expect(legacyCalls(proxy)).toHaveLength(1)
  })

  it('is the default: a form naming none is enrolled by the background attempt after 202', async () => {
    vi.useFakeTimers({ now: 0 })
    const config = { forms: [form('plain', 'legacy')] }
    // createTestProxy gives "flow" to forms naming none, so the default is checked on the parsed config.
    const [parsed] = parseConfig(config, 'test').forms
    expect(parsed && confirmationOf(parsed)).toBe('instant')
    proxy = await createTestProxy({ config: { forms: [form('plain', 'legacy', 'instant')] } })
    const res = await advancedUntil(proxy.submit('plain', { email: 'bg@example.com' }), 10)
    expect(res.status).toBe(202)
    await advancedWhile(() => (proxy?.fake?.flowParticipants(LEGACY).length ?? 0) === 0)
    expect(proxy.fake?.flowParticipants(LEGACY)).toHaveLength(1)
  })

  it('answers a second signup of the same person 202 queued too: nobody learns who is signed up', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ config: { forms: [form('instant', 'moments', 'instant')] } })
    for (const _ of [1, 2]) {
      const res = await advancedUntil(proxy.submit('instant', { email: 'twice@example.com' }), 10)
      expect(res.status).toBe(202)
      expect(await res.json()).toEqual({ status: 'queued' })
      await advancedWhile(() => (proxy?.outbox.counts().pending ?? 0) + (proxy?.outbox.counts().awaiting ?? 0) > 0)
    }
    expect(proxy.fake?.flowParticipants(MOMENTS)).toHaveLength(1)
  })

  it('keeps values refused upstream for the operator, as after a passed deadline', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ config: { forms: [form('instant', 'legacy', 'instant')] } })
    proxy.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 40003, errorMessage: 'Error updating person: email: invalid.' } },
    )
    const res = await advancedUntil(proxy.submit('instant', { email: 'refused@example.com' }), 10)
    expect(res.status).toBe(202)
    await advancedWhile(() => proxy?.outbox.counts().failed === 0)
    expect(proxy.outbox.list({ status: 'failed' })).toHaveLength(1)
    expect(proxy.logText()).toContain('upstream refused the values after the person was answered')
  })

  it('answers a bot drop as it answers a person: 202 queued', async () => {
    proxy = await createTestProxy({ config: { forms: [form('instant', 'legacy', 'instant')] } })
    const res = await proxy.submit('instant', { email: 'bot@example.com' }, { token: undefined })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(proxy.outbox.list()).toEqual([])
  })
})

describe('confirmation: "flow"', () => {
  it('waits for the flow: 200 enrolled, then 200 already_enrolled', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ config: { forms: [form('waits', 'moments', 'flow')] } })
    const first = await advancedUntil(proxy.submit('waits', { email: 'again@example.com' }), 10)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ status: 'enrolled' })
    const second = await advancedUntil(proxy.submit('waits', { email: 'again@example.com' }), 10)
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ status: 'already_enrolled' })
  })
})

describe('durable before the answer', () => {
  it('opens the outbox with synchronous=FULL, so an acknowledged signup survives a power cut', () => {
    const db = openDatabase(join(tempDir('sync'), 'outbox.db'))
    try {
      expect(db.pragma('synchronous', { simple: true })).toBe(2)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      db.close()
    }
  })
})

describe('the config key', () => {
  it('refuses an unknown confirmation with a message naming the choices', () => {
    const config = { forms: [{ ...form('bad', 'legacy'), confirmation: 'later' }] }
    expect(() => parseConfig(config, 'flowform.config.json')).toThrow(
      /confirmation[\s\S]*must be "instant" \(answer 202 queued as soon as the signup is stored\) or "flow"/,
    )
  })
})
