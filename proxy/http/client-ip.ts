import type { Context } from 'hono'

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
