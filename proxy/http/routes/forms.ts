import { Hono } from 'hono'
import type { BotGate } from '../../signup/bots/gate'
import { localiseForm } from '../../forms/localise'
import type { FormRegistry } from '../../forms/registry'
import type { OriginPolicy } from '../middleware/origin-policy'

/**
 * `GET /v1/forms/:id`: the form definition in the visitor's language, with what the widget needs
 * for the form's bot checks (honeypot name, timing token, challenge). A missing Origin passes (the
 * definition holds nothing secret and may be fetched server-side); a wrong one is refused.
 */
export function formsRoute(deps: { registry: FormRegistry; origins: OriginPolicy; bots?: BotGate | undefined }): Hono {
  return new Hono().get('/:id', deps.origins.check({ required: false }), async (c) => {
    const form = await deps.registry.resolve(c.req.param('id'))
    // The CORS middleware already adds `Vary: Origin`. A shared cache may hand one token to many
    // visitors for a minute: the token names the form and a time, nobody in particular.
    c.header('cache-control', 'public, max-age=60')
    // Texts in the visitor's language; English without ?locale=.
    const definition = localiseForm(form.definition, form.config.texts, c.req.query('locale'))
    return c.json({ ...definition, ...deps.bots?.definition(form) })
  })
}
