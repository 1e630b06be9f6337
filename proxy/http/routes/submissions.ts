import { Hono } from 'hono'
import type { FormRegistry } from '../../forms/registry'
import { SubmissionBody } from '../../signup/schema'
import { type SubmitDeps, submit } from '../../signup/submit'
import { DEFAULTS } from '../../config/defaults'
import type { ClientAddressEnv } from '../middleware/client-address'
import { jsonBody, jsonBodyLimit } from '../middleware/json-body'
import type { OriginPolicy } from '../middleware/origin-policy'
import { rateLimit } from '../middleware/rate-limit'

/**
 * `POST /v1/forms/:id/submissions`: a signup. The size is checked first, then the origin (a refused
 * origin must not spend the shop's rate-limit budget), the limit and the body; `submit` answers `delivered` (200) or `queued` (202).
 */
export function submissionsRoute(deps: {
  registry: FormRegistry
  submitDeps: SubmitDeps
  origins: OriginPolicy
  perMinute: number
}): Hono<ClientAddressEnv> {
  const maxBytes = DEFAULTS.maxSubmissionBytes
  return new Hono<ClientAddressEnv>().post(
    '/:id/submissions',
    jsonBodyLimit({ maxBytes, message: `The request body must be at most ${maxBytes} bytes.` }),
    deps.origins.check({ required: true }),
    rateLimit('submissions', deps.perMinute),
    jsonBody(SubmissionBody, {
      contentType: 'Send the submission as application/json.',
      invalidJson: 'The request body is not valid JSON.',
      invalidShape: 'The request body must be {"values": {"<field>": value, ...}}.',
    }),
    async (c) => {
      const form = await deps.registry.resolve(c.req.param('id'))
      const origin = c.req.header('origin') ?? ''
      const status = await submit(deps.submitDeps, form, c.get('body'), {
        source: new URL(origin).host,
        clientAddress: c.get('clientAddress'),
        origin,
      })
      return c.json({ status }, status === 'queued' ? 202 : 200)
    },
  )
}
