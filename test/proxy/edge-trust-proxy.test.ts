import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { parseTrustProxy, readEnv, type TrustProxy } from '../../proxy/config/env'
import { clientAddress, type ClientAddressEnv } from '../../proxy/http/middleware/client-address'

function addressOf(trust: TrustProxy, peer: string | undefined, forwarded?: string): Promise<string> {
  const app = new Hono<ClientAddressEnv>()
    .use(clientAddress({ trustProxy: trust }))
    .get('/', (c) => c.text(c.get('clientAddress')))
  const headers: Record<string, string> = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }
  const env = peer === undefined ? undefined : { incoming: { socket: { remoteAddress: peer } } }
  return Promise.resolve(app.request('/', { headers }, env)).then((r) => r.text())
}

describe('TRUST_PROXY (contract section 2)', () => {
  it('parses 0, hop counts, true/false and address lists, once, with clear errors', () => {
    expect(readEnv({}).trustProxy).toBe(0)
    expect(readEnv({ TRUST_PROXY: '0' }).trustProxy).toBe(0)
    expect(readEnv({ TRUST_PROXY: '1' }).trustProxy).toBe(1)
    expect(readEnv({ TRUST_PROXY: '3' }).trustProxy).toBe(3)
    expect(readEnv({ TRUST_PROXY: 'false' }).trustProxy).toBe(0)
    expect(readEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(1)
    expect(readEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::/32',
    ])
    expect(() => readEnv({ TRUST_PROXY: 'loopback,proxy.example.com' })).toThrow(
      /TRUST_PROXY: "proxy\.example\.com" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal/,
    )
    expect(parseTrustProxy('10.0.0.0/99')).toMatch(/"10\.0\.0\.0\/99" is not an IP address/)
    expect(parseTrustProxy(' , ')).toMatch(/must be 0, a number of trusted hops/)
    expect(parseTrustProxy('1000')).toMatch(/at most 100 hops/)
  })

  it('0: the socket peer, whatever X-Forwarded-For says', async () => {
    expect(await addressOf(0, '192.0.2.1', '203.0.113.9')).toBe('192.0.2.1')
  })

  it('N: the N-th address from the right of X-Forwarded-For', async () => {
    const chain = '198.51.100.1, 203.0.113.9, 10.0.0.2'
    expect(await addressOf(1, '10.0.0.1', chain)).toBe('10.0.0.2')
    expect(await addressOf(2, '10.0.0.1', chain)).toBe('203.0.113.9')
    expect(await addressOf(3, '10.0.0.1', chain)).toBe('198.51.100.1')
    // Fewer entries than hops: the furthest one there is.
    expect(await addressOf(5, '10.0.0.1', chain)).toBe('198.51.100.1')
    expect(await addressOf(1, '10.0.0.1')).toBe('10.0.0.1')
  })

  it('a list: hops from those addresses are skipped; any other peer is the client', async () => {
    const trust = ['loopback', '10.0.0.0/8']
    expect(await addressOf(trust, '127.0.0.1', '198.51.100.1, 203.0.113.9, 10.9.9.9')).toBe('203.0.113.9')
    // A peer not in the list may write what it likes: it is the client.
    expect(await addressOf(trust, '192.0.2.77', '203.0.113.9')).toBe('192.0.2.77')
    expect(await addressOf(['uniquelocal'], 'fd00::1', '2001:db8::5')).toBe('2001:db8::5')
  })

  it('never uses an entry that is not an IP address: the last trusted address stands in', async () => {
    const junk = 'x'.repeat(8_000)
    expect(await addressOf(1, '10.0.0.1', junk)).toBe('10.0.0.1')
    expect(await addressOf(['loopback'], '127.0.0.1', `203.0.113.9, ${junk}`)).toBe('127.0.0.1')
    expect(await addressOf(2, '10.0.0.1', `${junk}, 10.0.0.2`)).toBe('10.0.0.2')
    expect(await addressOf(1, undefined, junk)).toBe('unknown')
  })
})
