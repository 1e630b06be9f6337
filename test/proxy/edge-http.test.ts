import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { onError } from '../../proxy/http/error-response'
import { originPolicy, REFUSAL_LOG_PERIOD_MS } from '../../proxy/http/middleware/origin-policy'
import { createMemoryLogger } from '../../proxy/common/log'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

const EVIL = 'https://evil.example'
let proxy: TestProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

describe('what is answered before the rate limiter', () => {
  it('refused origins and unknown forms spend no part of a form’s budget', async () => {
    const p = await createTestProxy({ rateLimits: { submissionsPerMinute: 2, viewsPerMinute: 2 } })
    proxy = p
    const post = (path: string, origin: string, body?: unknown) =>
      p.request(path, {
        method: 'POST',
        origin,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    const bad = { values: { email: 'x' } }
    for (let i = 0; i < 5; i++) {
      expect((await post('/v1/forms/welcome/submissions', EVIL, bad)).status).toBe(403)
      expect((await post('/v1/forms/welcome/views', EVIL)).status).toBe(403)
      expect((await post('/v1/forms/nope/submissions', SHOP, bad)).status).toBe(404)
    }
    // The shop's own budget is whole.
    expect((await post('/v1/forms/welcome/submissions', SHOP, bad)).status).toBe(422)
    expect((await post('/v1/forms/welcome/submissions', SHOP, bad)).status).toBe(422)
    expect((await post('/v1/forms/welcome/submissions', SHOP, bad)).status).toBe(429)
    expect((await post('/v1/forms/welcome/views', SHOP)).status).toBe(204)
    expect((await post('/v1/forms/welcome/views', SHOP)).status).toBe(204)
    expect((await post('/v1/forms/welcome/views', SHOP)).status).toBe(429)
  })

  it('an oversized body is still refused first (413), before its origin is looked at', async () => {
    const p = await createTestProxy()
    proxy = p
    const huge = await p.request('/v1/forms/welcome/submissions', {
      method: 'POST',
      origin: EVIL,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: { email: 'x'.repeat(100_000) } }),
    })
    expect(huge.status).toBe(413)
  })
})

describe('headers on every answer', () => {
  it('X-Content-Type-Options: nosniff on successes, errors, preflights and the bundle', async () => {
    const p = await createTestProxy()
    proxy = p
    const answers = [
      await p.request('/healthz'),
      await p.request('/v1/forms/welcome'),
      await p.request('/v1/forms/welcome', { origin: EVIL }),
      await p.request('/v1/forms/nope'),
      await p.request('/no/such/path'),
      await p.request('/v1/forms/welcome/views', { method: 'OPTIONS' }),
      await p.request('/v1/forms/welcome/submissions', { method: 'POST', body: '{' }),
      await p.request('/flowform.js'),
    ]
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options'), `${answer.status} ${answer.url}`).toBe('nosniff')
    }
  })

  it('the definition says Vary: Origin exactly once', async () => {
    const p = await createTestProxy()
    proxy = p
    for (const origin of [SHOP, EVIL, null]) {
      const answer = await p.request('/v1/forms/welcome', { origin })
      expect(answer.headers.get('vary')?.toLowerCase()).toBe('origin')
    }
  })
})

describe('refused-origin warnings', () => {
  function policy() {
    let now = 0
    const memory = createMemoryLogger()
    const origins = originPolicy({
      forms: { config: (id) => (id === 'welcome' ? { allowedOrigins: [SHOP] } : undefined) },
      log: memory.log,
      now: () => now,
    })
    const app = new Hono()
    app.onError(onError(memory.log))
    app.post('/:id/views', origins.check({ required: true }), (c) => c.body(null, 204))
    const refuse = (origin: string) => app.request('/welcome/views', { method: 'POST', headers: { origin } })
    const warnings = (origin: string) =>
      memory.lines().filter((l) => l.origin === origin && String(l.msg).startsWith('origin refused')).length
    return { refuse, warnings, advance: (ms: number) => (now += ms), lines: memory.lines }
  }

  it('are logged once per (form, origin) per hour', async () => {
    const p = policy()
    await p.refuse(EVIL)
    await p.refuse(EVIL)
    expect(p.warnings(EVIL)).toBe(1)
    p.advance(REFUSAL_LOG_PERIOD_MS - 1)
    await p.refuse(EVIL)
    expect(p.warnings(EVIL)).toBe(1)
    p.advance(1)
    await p.refuse(EVIL)
    expect(p.warnings(EVIL)).toBe(2)
  })

  it('stay bounded under a flood of made-up origins, and a later real mistake is still logged', async () => {
    const p = policy()
    for (let i = 0; i < 1_500; i++) {
      await p.refuse(`https://made-up-${i}.example`)
    }
    const lines = p.lines()
    expect(lines.filter((l) => String(l.msg).startsWith('origin refused'))).toHaveLength(1_000)
    expect(lines.filter((l) => String(l.msg).startsWith('many different origins'))).toHaveLength(1)
    p.advance(REFUSAL_LOG_PERIOD_MS)
    await p.refuse('http://localhost:3000')
    expect(p.warnings('http://localhost:3000')).toBe(1)
  })
})
