import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { clientAddress, type ClientAddressEnv } from '../../../proxy/http/middleware/client-address'

function app(trustProxy: number) {
  return new Hono<ClientAddressEnv>().use(clientAddress({ trustProxy })).get('/', (c) => c.text(c.get('clientAddress')))
}

const FORWARDED = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' }

describe('clientAddress', () => {
  it('is the socket peer on Node', async () => {
    const env = { incoming: { socket: { remoteAddress: '192.0.2.1' } } }
    expect(await (await app(0).request('/', { headers: FORWARDED }, env)).text()).toBe('192.0.2.1')
  })

  it('is "unknown" in-process', async () => {
    expect(await (await app(0).request('/')).text()).toBe('unknown')
  })

  it('ignores X-Forwarded-For unless a proxy is trusted, then takes its last entry', async () => {
    expect(await (await app(0).request('/', { headers: FORWARDED })).text()).toBe('unknown')
    expect(await (await app(1).request('/', { headers: FORWARDED })).text()).toBe('198.51.100.7')
  })
})
