import { Hono } from 'hono'
import { localiseForm } from '../../forms/localise'
import type { FormRegistry } from '../../forms/registry'
import type { OriginPolicy } from '../middleware/origin-policy'

/**
 * `GET /v1/forms/:id`: the form definition in the visitor's language. A missing Origin passes (the
 * definition holds nothing secret and may be fetched server-side); a wrong one is refused.
 */
export function formsRoute(deps: { registry: FormRegistry; origins: OriginPolicy }): Hono {
  return new Hono().get('/:id', deps.origins.check({ required: false }), async (c) => {
    const form = await deps.registry.resolve(c.req.param('id'))
    // The CORS middleware already adds `Vary: Origin`.
    c.header('cache-control', 'public, max-age=60')
    // Texts in the visitor's language; English without ?locale=.
    return c.json(localiseForm(form.definition, form.config.texts, c.req.query('locale')))
  })
}
