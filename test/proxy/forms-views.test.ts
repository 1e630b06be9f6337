// Views are forwarded to Infobip in the background: the page never waits for it.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { advancedUntil } from '../helpers/fake-clock'
import { createTestProxy, type TestProxy } from '../helpers/test-proxy'

const VIEWS_PATH = `/forms/1/forms/${SANDBOX_SEED.activeFormId}/views`

let proxy: TestProxy
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
})

describe('POST /v1/forms/:id/views', () => {
  it('answers 204 at once even when the Infobip views call hangs, and forwards it meanwhile', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy()
    const fake = proxy.fake!
    fake.failNext({ method: 'POST', path: VIEWS_PATH }, { status: 200, body: { status: 'OK' }, delayMs: 1_500 })
    const res = await advancedUntil(proxy.request('/v1/forms/newsletter/views', { method: 'POST' }), 10)
    expect(res.status).toBe(204)
    expect(Date.now()).toBeLessThan(1_500)
    // The call did go out and is still in flight: the answer did not wait for it.
    const call = fake.requests.find((r) => r.path === VIEWS_PATH)
    expect(call).toBeDefined()
    expect(call?.status).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1_500)
    expect(fake.requests.find((r) => r.path === VIEWS_PATH)?.status).toBe(200)
  })

  it('answers 204 when Infobip fails the view, and logs it as a warning', async () => {
    proxy = await createTestProxy()
    proxy.fake!.failNext(
      { method: 'POST', path: VIEWS_PATH },
      { status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'x' } } } },
    )
    const res = await proxy.request('/v1/forms/newsletter/views', { method: 'POST' })
    expect(res.status).toBe(204)
    await expect.poll(() => proxy.logText()).toContain('view count not forwarded')
  })

  it('answers 204 for a config form without calling Infobip', async () => {
    proxy = await createTestProxy()
    const res = await proxy.request('/v1/forms/welcome/views', { method: 'POST' })
    expect(res.status).toBe(204)
    expect(proxy.fake!.requests.filter((r) => r.path.endsWith('/views'))).toEqual([])
  })
})
