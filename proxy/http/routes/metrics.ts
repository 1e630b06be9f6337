import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { Hono, type Context } from 'hono'
import type { Metrics } from '../../common/metrics'

/**
 * `GET /metrics` in Prometheus text format. With FLOWFORM_METRICS_TOKEN, only a scraper that sends
 * `Authorization: Bearer <token>` is answered (compared in constant time). Without a token, only
 * callers on this machine are (the socket's own peer, never X-Forwarded-For: anyone can write
 * that): the proxy faces the internet, and form ids and volumes are no one else's business.
 * In-process callers (tests, an embedding) have no socket and count as this machine.
 */
export function metricsRoute(deps: { metrics: Metrics; token: string | null }): Hono {
  const expected = deps.token === null ? null : digest(deps.token)
  return new Hono().get('/metrics', async (c) => {
    if (expected === null ? !fromThisMachine(c) : !bearerMatches(c.req.header('authorization'), expected)) {
      c.header('www-authenticate', 'Bearer realm="metrics"')
      c.header('cache-control', 'no-store')
      return c.json({ error: 'unauthorized' }, 401)
    }
    const text = await deps.metrics.text()
    return c.body(text, 200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' })
  })
}

/** Digests first, so that the comparison takes as long whatever the length of what was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)
}

function fromThisMachine(c: Context): boolean {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  if (!incoming) {
    return true
  }
  const address = incoming.socket?.remoteAddress ?? ''
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address
  return isIP(bare) !== 0 && (bare === '::1' || bare.startsWith('127.'))
}
