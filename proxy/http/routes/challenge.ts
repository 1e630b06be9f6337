import { Hono } from 'hono'
import type { BotGate } from '../../signup/bots/gate'
import type { FormRegistry } from '../../forms/registry'
import type { ClientAddressEnv } from '../middleware/client-address'
import type { OriginPolicy } from '../middleware/origin-policy'
import { rateLimit } from '../middleware/rate-limit'

/**
 * `GET /v1/forms/:id/challenge`: a fresh proof-of-work challenge (ALTCHA) for a form that uses
 * one; 404 for other forms. Never cached: each visitor solves their own.
 */
export function challengeRoute(deps: {
  registry: FormRegistry
  bots: BotGate
  origins: OriginPolicy
  perMinute: number
}): Hono<ClientAddressEnv> {
  return new Hono<ClientAddressEnv>().get(
    '/:id/challenge',
    rateLimit('challenges', deps.perMinute),
    deps.origins.check({ required: false }),
    async (c) => {
      const form = await deps.registry.resolve(c.req.param('id'))
      c.header('cache-control', 'no-store')
      return c.json(await deps.bots.altchaChallenge(form))
    },
  )
}
