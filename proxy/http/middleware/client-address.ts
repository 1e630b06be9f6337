import type { Context, MiddlewareHandler } from 'hono'

export type ClientAddressEnv = { Variables: { clientAddress: string } }

/**
 * The caller's address: the socket's peer on Node, `unknown` in-process. X-Forwarded-For is only
 * believed when the operator says a proxy sits in front (TRUST_PROXY), and then only its last entry,
 * the one that proxy appended: the entries before it are whatever the client chose to send.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
    if (forwarded) {
      return forwarded
    }
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

/** Sets `clientAddress` for the middleware after it (the rate limiters key on it). */
export function clientAddress(options: { trustProxy: boolean }): MiddlewareHandler<ClientAddressEnv> {
  return async function clientAddress(c, next) {
    c.set('clientAddress', clientIp(c, options.trustProxy))
    await next()
  }
}
