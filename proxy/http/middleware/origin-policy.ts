import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { Logger } from '../../log'
import { OriginError } from '../errors'

/** What the policy needs of the form registry: a form's allowed origins. */
export interface OriginLookup {
  config(id: string): { allowedOrigins: readonly string[] } | undefined
}

export interface OriginPolicy {
  /** The one rule: `origin` is listed in the `allowedOrigins` of form `formId`. */
  allows(formId: string | undefined, origin: string | undefined): boolean
  /** CORS headers for allowed origins only (preflights included). */
  cors(options: { allowMethods: string[]; allowHeaders?: string[]; maxAge?: number }): MiddlewareHandler
  /**
   * Refuses a request whose Origin is not allowed (403). `required`: a missing Origin is refused
   * too (state-changing requests); otherwise it passes (the definition may be fetched server-side).
   */
  check(options: { required: boolean }): MiddlewareHandler
}

/** Most distinct (form, origin) refusals logged; beyond, a flood of made-up origins stays quiet. */
const MAX_LOGGED_REFUSALS = 1_000

export function originPolicy(deps: { forms: OriginLookup; log: Logger }): OriginPolicy {
  const allows = (formId: string | undefined, origin: string | undefined): boolean =>
    origin !== undefined &&
    formId !== undefined &&
    (deps.forms.config(formId)?.allowedOrigins.includes(origin) ?? false)

  // An operator who mistypes an origin (localhost vs 127.0.0.1) must be told once, not per page view.
  const logged = new Set<string>()
  const refuse = (id: string, origin: string): never => {
    const shown = origin.slice(0, 200)
    const key = `${id} ${shown}`
    if (!logged.has(key) && logged.size < MAX_LOGGED_REFUSALS) {
      logged.add(key)
      deps.log.warn({ form: id, origin: shown }, "origin refused: not in this form's allowedOrigins")
    }
    throw new OriginError(`This page's origin (${shown}) is not in allowedOrigins of form "${id}".`)
  }

  return {
    allows,
    cors(options) {
      const handler = cors({ origin: (origin, c) => (allows(c.req.param('id'), origin) ? origin : null), ...options })
      return async function originCors(c, next) {
        return handler(c, next)
      }
    },
    check({ required }) {
      return async function originCheck(c, next) {
        const id = c.req.param('id') ?? ''
        const origin = c.req.header('origin')
        if (required && !origin) {
          throw new OriginError('An Origin header is required.')
        }
        if (origin !== undefined && !allows(id, origin)) {
          refuse(id, origin)
        }
        await next()
      }
    },
  }
}
