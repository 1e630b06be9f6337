import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { onError } from '../../../proxy/http/error-response'
import { originPolicy } from '../../../proxy/http/middleware/origin-policy'
import { createMemoryLogger } from '../../../proxy/common/log'

const SHOP = 'https://shop.example.com'
const EVIL = 'https://evil.example'

function app() {
  const memory = createMemoryLogger()
  const policy = originPolicy({
    forms: { config: (id) => (id === 'welcome' ? { allowedOrigins: [SHOP] } : undefined) },
    log: memory.log,
  })
  const forms = new Hono()
  forms.onError(onError(memory.log))
  forms.use('/:id/*', policy.cors({ allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['content-type'] }))
  forms.get('/:id', policy.check({ required: false }), (c) => c.json({ ok: true }))
  forms.post('/:id/views', policy.check({ required: true }), (c) => c.body(null, 204))
  // A route that answers with a Response it built itself, not through the context.
  forms.get('/:id/ready-made', () => new Response('{}', { headers: { 'content-type': 'application/json' } }))
  forms.post('/:id/broken', () => {
    throw new Error('boom')
  })
  const request = (path: string, origin: string | null, method = 'GET') =>
    forms.request(path, { method, headers: origin === null ? {} : { origin } })
  return { policy, request, memory }
}

describe('originPolicy', () => {
  it('allows only the origins a form lists', () => {
    const { policy } = app()
    expect(policy.allows('welcome', SHOP)).toBe(true)
    expect(policy.allows('welcome', EVIL)).toBe(false)
    expect(policy.allows('welcome', undefined)).toBe(false)
    expect(policy.allows('nope', SHOP)).toBe(false)
    expect(policy.allows(undefined, SHOP)).toBe(false)
  })

  it('sends CORS headers to an allowed origin only', async () => {
    const { request } = app()
    const allowed = await request('/welcome', SHOP)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP)
    const preflight = await request('/welcome/views', EVIL, 'OPTIONS')
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('sets Allow-Origin and one Vary: Origin on every actual answer: built, ready-made or an error', async () => {
    const { request } = app()
    for (const [path, method, status] of [
      ['/welcome/views', 'POST', 204],
      ['/welcome/ready-made', 'GET', 200],
      ['/welcome/broken', 'POST', 500],
    ] as const) {
      const res = await request(path, SHOP, method)
      expect(res.status).toBe(status)
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP)
      expect(res.headers.get('vary')).toBe('Origin')
    }
    const other = await request('/welcome/ready-made', EVIL)
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    expect(other.headers.get('vary')).toBe('Origin')
  })

  it('lets the definition be fetched without an Origin, but refuses a wrong one', async () => {
    const { request } = app()
    expect((await request('/welcome', null)).status).toBe(200)
    const refused = await request('/welcome', EVIL)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      error: {
        code: 'origin_not_allowed',
        message: `This page's origin (${EVIL}) is not in allowedOrigins of form "welcome".`,
      },
    })
  })

  it('requires an Origin on a POST', async () => {
    const { request } = app()
    const missing = await request('/welcome/views', null, 'POST')
    expect(missing.status).toBe(403)
    expect(await missing.json()).toEqual({
      error: { code: 'origin_not_allowed', message: 'An Origin header is required.' },
    })
    expect((await request('/welcome/views', EVIL, 'POST')).status).toBe(403)
    expect((await request('/welcome/views', SHOP, 'POST')).status).toBe(204)
  })

  it('logs a refused origin once per form and origin, on any route', async () => {
    const { request, memory } = app()
    await request('/welcome', EVIL)
    await request('/welcome/views', EVIL, 'POST')
    await request('/welcome', 'https://other.example')
    const refusals = memory.lines().filter((l) => l.msg === "origin refused: not in this form's allowedOrigins")
    expect(refusals.map((l) => [l.form, l.origin])).toEqual([
      ['welcome', EVIL],
      ['welcome', 'https://other.example'],
    ])
  })
})
