import { isIP } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import proxyaddr from 'proxy-addr'
import type { TrustProxy } from '../../config/env'

export type ClientAddressEnv = { Variables: { clientAddress: string } }

type Trust = (address: string, hop: number) => boolean

/**
 * TRUST_PROXY (contract section 2) as proxy-addr's trust function: `0` trusts nobody, `N` the first
 * N hops counted from the socket, a list the hops whose address it names (`loopback`, CIDRs, …).
 */
export function compileTrust(trust: TrustProxy): Trust {
  if (typeof trust === 'number') {
    return (_address, hop) => hop < trust
  }
  return proxyaddr.compile([...trust])
}

/**
 * The caller's address. X-Forwarded-For is read right to left, one hop per trusted proxy, by
 * proxy-addr; an entry that is not an IP address (anyone can write anything there) is never the
 * answer: the last trusted address before it is. `unknown` in-process, where there is no socket.
 */
export function clientIp(c: Context, trust: Trust): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  const remoteAddress = incoming?.socket?.remoteAddress
  // proxy-addr reads only these two members of a Node request.
  const request = {
    headers: { 'x-forwarded-for': c.req.header('x-forwarded-for') },
    socket: { remoteAddress },
  } as unknown as IncomingMessage
  const chain = proxyaddr.all(request, trust) as (string | undefined)[]
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = chain[i]
    if (address !== undefined && isIP(address) !== 0) {
      return address
    }
  }
  return 'unknown'
}

/** Sets `clientAddress` for the middleware after it (the rate limiters key on it). */
export function clientAddress(options: { trustProxy: TrustProxy }): MiddlewareHandler<ClientAddressEnv> {
  const trust = compileTrust(options.trustProxy)
  return async function clientAddress(c, next) {
    c.set('clientAddress', clientIp(c, trust))
    await next()
  }
}
