import type { MiddlewareHandler } from 'hono'
import { rateLimiter } from 'hono-rate-limiter'
import { RateLimitError } from '../../common/errors'
import type { ClientAddressEnv } from './client-address'

const WINDOW_MS = 60_000

/**
 * At most `perMinute` requests per client address and form for the counter `name` (`views`,
 * `submissions`); beyond, 429 with Retry-After. Needs `clientAddress` before it.
 */
export function rateLimit(name: string, perMinute: number): MiddlewareHandler<ClientAddressEnv> {
  const limiter = rateLimiter<ClientAddressEnv>({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => `${name}:${c.req.param('id') ?? ''}:${c.get('clientAddress')}`,
    handler: () => {
      throw new RateLimitError(WINDOW_MS / 1_000)
    },
  })
  return async function rateLimit(c, next) {
    return limiter(c, next)
  }
}
