// The Infobip-backed form definitions: TTL cache, stale-if-error, status filtering, unknown
// components. The registry runs against the sandbox fake with an injected clock.
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../proxy/config/load'
import { UpstreamError } from '../../proxy/common/errors'
import { FormRegistry } from '../../proxy/forms/registry'
import { createMemoryLogger } from '../../proxy/common/log'
import { SANDBOX_SEED, createInfobipFake, defaultForms } from '../../fakes/infobip-fake'
import type { SeedForm } from '../../fakes/infobip-fake'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { createTestProxy, type TestProxy } from '../helpers/test-proxy'

const SHOP = 'https://shop.example.com'
const TTL = 60_000
const FORM_PATH = `/forms/1/forms/${SANDBOX_SEED.activeFormId}`

function setup(options: { forms?: SeedForm[]; formId?: string } = {}) {
  let t = 1_000_000
  const fake = createInfobipFake(options.forms ? { forms: options.forms } : {})
  const infobip = new InfobipClient({
    baseUrl: 'https://xyz.api.infobip.com',
    auth: staticAuth({ kind: 'app', apiKey: 'k' }),
    fetch: (input, init) => fake.fetch(new Request(input, init)),
  })
  const memory = createMemoryLogger()
  const config = parseConfig(
    { forms: [{ id: 'news', allowedOrigins: [SHOP], infobipFormId: options.formId ?? SANDBOX_SEED.activeFormId }] },
    'test config',
  )
  const registry = new FormRegistry({ config, infobip, log: memory.log, ttlMs: TTL, now: () => t })
  return {
    fake,
    registry,
    memory,
    advance: (ms: number) => void (t += ms),
    gets: () => fake.requests.filter((r) => r.method === 'GET').length,
  }
}

describe('form registry: cache', () => {
  it('fetches an Infobip form once per TTL, and once for concurrent requests', async () => {
    const { registry, advance, gets } = setup()
    await Promise.all([registry.resolve('news'), registry.resolve('news'), registry.resolve('news')])
    expect(gets()).toBe(1)
    advance(TTL - 1)
    await registry.resolve('news')
    expect(gets()).toBe(1)
    advance(1)
    await registry.resolve('news')
    expect(gets()).toBe(2)
  })

  it('picks up a changed definition after the TTL', async () => {
    const { fake, registry, advance } = setup()
    expect((await registry.resolve('news')).definition.fields.length).toBeGreaterThan(0)
    fake.setFormStatus(SANDBOX_SEED.activeFormId, 'DISABLED')
    await expect(registry.resolve('news')).resolves.toBeDefined()
    advance(TTL)
    await expect(registry.resolve('news')).rejects.toMatchObject({ status: 404, code: 'form_not_found' })
  })
})

describe('form registry: stale-if-error', () => {
  it('keeps serving the last good definition while Infobip is down (500, network error)', async () => {
    const { fake, registry, memory, advance, gets } = setup()
    const good = await registry.resolve('news')
    advance(TTL)
    fake.failNext(
      { method: 'GET', path: FORM_PATH },
      { status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'x' } } } },
    )
    expect(await registry.resolve('news')).toEqual(good)
    expect(gets()).toBe(2)
    // While Infobip is down, page views do not each wait for it: it is asked again 10 s later.
    advance(9_999)
    expect(await registry.resolve('news')).toEqual(good)
    expect(gets()).toBe(2)
    advance(1)
    fake.failNext({ method: 'GET', path: FORM_PATH }, { networkError: true })
    expect(await registry.resolve('news')).toEqual(good)
    expect(gets()).toBe(3)
    expect(memory.text()).toContain('serving the last good definition')
    // Once Infobip answers again, the fresh definition is cached for a whole TTL.
    advance(10_000)
    await registry.resolve('news')
    advance(TTL - 1)
    await registry.resolve('news')
    expect(gets()).toBe(4)
  })

  it('answers a calm UpstreamError (503) when nothing was ever fetched', async () => {
    const { fake, registry } = setup()
    fake.failNext({ method: 'GET', path: FORM_PATH }, { networkError: true })
    const error = await registry.resolve('news').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({
      status: 503,
      code: 'upstream_unavailable',
      message: expect.stringContaining('try again'),
    })
    expect((error as Error).message).not.toMatch(/infobip|fetch|GET/i)
  })
})

describe('form registry: what is shown', () => {
  it.each([
    ['DRAFT', SANDBOX_SEED.draftFormId],
    ['DISABLED', SANDBOX_SEED.disabledFormId],
  ])('does not show a %s form, and logs why', async (status, formId) => {
    const { registry, memory } = setup({ formId })
    await expect(registry.resolve('news')).rejects.toMatchObject({ status: 404, code: 'form_not_found' })
    expect(memory.lines()).toContainEqual(
      expect.objectContaining({ level: 40, infobipFormStatus: status, msg: expect.stringContaining('not ACTIVE') }),
    )
  })

  it('treats an unknown infobipFormId as not found and caches that too', async () => {
    const { registry, memory, gets } = setup({ formId: '00000000-0000-4000-8000-000000000000' })
    await expect(registry.resolve('news')).rejects.toMatchObject({ status: 404 })
    await expect(registry.resolve('news')).rejects.toMatchObject({ status: 404 })
    expect(gets()).toBe(1)
    expect(memory.text()).toContain('check infobipFormId')
  })

  it('skips components the widget cannot draw, with a warning naming them', async () => {
    const forms = defaultForms()
    const form = forms.find((f) => f.id === SANDBOX_SEED.activeFormId)!
    form.elements.splice(
      2,
      0,
      { component: 'WHATSAPP_SCREEN', label: 'Screen 1' },
      { component: 'APPLE_SPLASH', fieldId: 'splash' },
    )
    const { registry, memory } = setup({ forms })
    const { definition } = await registry.resolve('news')
    expect(definition.fields.map((f) => f.name)).not.toContain('splash')
    expect(definition.fields.some((f) => f.label === 'Screen 1')).toBe(false)
    expect(definition.fields.map((f) => f.name)).toContain('email')
    const warnings = memory.lines().filter((l) => String(l.msg).includes('cannot show'))
    expect(warnings.map((w) => w.component)).toEqual(['WHATSAPP_SCREEN', 'APPLE_SPLASH'])
  })
})

describe('GET /v1/forms/:id for an Infobip form', () => {
  let proxy: TestProxy
  afterEach(async () => {
    await proxy?.close()
  })

  it('serves the cached definition while Infobip is down, and 503 JSON when it never answered', async () => {
    proxy = await createTestProxy()
    const fake = proxy.fake!
    fake.failNext({ method: 'GET', path: FORM_PATH }, { networkError: true })
    const down = await proxy.request('/v1/forms/newsletter')
    expect(down.status).toBe(503)
    expect(await down.json()).toEqual({
      error: { code: 'upstream_unavailable', message: expect.stringContaining('try again') },
    })
    const up = await proxy.request('/v1/forms/newsletter')
    expect(up.status).toBe(200)
  })

  it('answers 404 for a form that is DRAFT upstream', async () => {
    proxy = await createTestProxy()
    proxy.fake!.setFormStatus(SANDBOX_SEED.activeFormId, 'DRAFT')
    const res = await proxy.request('/v1/forms/newsletter')
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('form_not_found')
  })
})
