import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { onError } from '../../../proxy/http/error-response'
import { clientAddress, type ClientAddressEnv } from '../../../proxy/http/middleware/client-address'
import { rateLimit } from '../../../proxy/http/middleware/rate-limit'
import { createMemoryLogger } from '../../../proxy/common/log'

function app(perMinute: number) {
  const hono = new Hono<ClientAddressEnv>()
  hono.onError(onError(createMemoryLogger().log))
  hono.post('/:id/views', clientAddress({ trustProxy: 1 }), rateLimit('views', perMinute), (c) => c.body(null, 204))
  return (id: string, ip: string) =>
    hono.request(`/${id}/views`, { method: 'POST', headers: { 'x-forwarded-for': ip } })
}

describe('rateLimit', () => {
  it('answers 429 with Retry-After beyond the limit', async () => {
    const send = app(2)
    expect((await send('welcome', '192.0.2.1')).status).toBe(204)
    const second = await send('welcome', '192.0.2.1')
    expect(second.status).toBe(204)
    expect(second.headers.get('ratelimit-remaining')).toBe('0')
    const third = await send('welcome', '192.0.2.1')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('60')
    // The limit's own headers on the refusal too (set before the error, kept by onError).
    expect(third.headers.get('ratelimit-limit')).toBe('2')
    expect(third.headers.get('ratelimit-remaining')).toBe('0')
    expect(await third.json()).toEqual({
      error: { code: 'rate_limited', message: 'Too many requests, please try again in a moment.' },
    })
  })

  it('counts per client address and per form', async () => {
    const send = app(1)
    expect((await send('welcome', '192.0.2.1')).status).toBe(204)
    expect((await send('welcome', '192.0.2.2')).status).toBe(204)
    expect((await send('other', '192.0.2.1')).status).toBe(204)
    expect((await send('welcome', '192.0.2.1')).status).toBe(429)
  })
})
