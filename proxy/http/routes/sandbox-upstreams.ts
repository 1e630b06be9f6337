import { Hono } from 'hono'
import proxyaddr from 'proxy-addr'
import type { SandboxUpstream } from '../../upstreams/sandbox'
import { SANDBOX_TOKEN_HEADER, tokenMatches } from '../../upstreams/sandbox-link'

export interface SandboxUpstreams {
  infobip: SandboxUpstream
  rapidpro: SandboxUpstream | null
  /** What the CLI must send (upstreams/sandbox-link.ts). */
  token: string
}

/** proxy-addr's own notion of loopback (127.0.0.0/8, ::1, and their IPv4-mapped forms). */
const isLoopback = proxyaddr.compile('loopback')

/**
 * `/sandbox/infobip/*` and `/sandbox/rapidpro/*`, mounted only in sandbox mode: the running
 * proxy's in-process fakes, for the operator CLI on the same machine, so its commands see the
 * demo signups. Only the socket's own peer counts (never X-Forwarded-For) and it must be loopback
 * and carry the token; anything else is the same 404 as an unknown path, so the route does not
 * even show that it exists.
 */
export function sandboxUpstreamsRoute(upstreams: SandboxUpstreams): Hono {
  return new Hono().all('/:upstream{infobip|rapidpro}/*', async (c) => {
    const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
      ?.remoteAddress
    const fake = c.req.param('upstream') === 'infobip' ? upstreams.infobip : upstreams.rapidpro
    if (
      peer === undefined ||
      !isLoopback(peer, 0) ||
      !tokenMatches(upstreams.token, c.req.header(SANDBOX_TOKEN_HEADER)) ||
      fake === null
    ) {
      return c.notFound()
    }
    const url = new URL(c.req.url)
    // Whatever the mount point, what follows /<upstream> is the fake's own path.
    const marker = `/${c.req.param('upstream')}/`
    const rest = url.pathname.slice(url.pathname.indexOf(marker) + marker.length - 1)
    const headers = new Headers(c.req.raw.headers)
    headers.delete(SANDBOX_TOKEN_HEADER)
    const method = c.req.method
    const body = method === 'GET' || method === 'HEAD' ? null : await c.req.arrayBuffer()
    // The fakes read only the path and query; the host is the one their clients use in-process.
    const forwarded = new Request(`https://sandbox.invalid${rest}${url.search}`, {
      method,
      headers,
      body,
    })
    return fake.fetch(forwarded)
  })
}
