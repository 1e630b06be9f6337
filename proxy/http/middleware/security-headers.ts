import type { MiddlewareHandler } from 'hono'

/**
 * On every answer: `X-Content-Type-Options: nosniff`, so a browser never runs a JSON error (which
 * may quote what the caller sent) as a script or page; and each `Vary` token once, because two
 * CORS layers (and the error mapping) may each add `Origin` to the same answer.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next()
    const headers = c.res.headers
    headers.set('x-content-type-options', 'nosniff')
    const vary = headers.get('vary')
    if (vary !== null) {
      const seen = new Map<string, string>()
      for (const token of vary.split(',').map((t) => t.trim())) {
        if (token !== '' && !seen.has(token.toLowerCase())) {
          seen.set(token.toLowerCase(), token)
        }
      }
      headers.set('vary', [...seen.values()].join(', '))
    }
  }
}
