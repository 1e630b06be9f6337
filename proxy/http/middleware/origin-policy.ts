import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { Logger } from '../../common/log'
import { OriginError } from '../../common/errors'

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

/** A refusal is logged once per (form, origin) in each such period. */
export const REFUSAL_LOG_PERIOD_MS = 60 * 60_000
/**
 * Distinct (form, origin) pairs remembered per period. A flood of made-up origins fills it, is told
 * in one line, and stays quiet until the period ends; then everything is remembered afresh, so a
 * real misconfiguration later is logged within the hour. Memory is bounded by this count.
 */
const MAX_REFUSALS_PER_PERIOD = 1_000

/** Logs each refused (form, origin) once per period, in bounded memory. */
function refusalLog(log: Logger, now: () => number): (form: string, origin: string) => void {
  const seen = new Set<string>()
  let periodStart = now()
  let overflowTold = false
  return (form, origin) => {
    if (now() - periodStart >= REFUSAL_LOG_PERIOD_MS) {
      seen.clear()
      periodStart = now()
      overflowTold = false
    }
    const key = `${form} ${origin}`
    if (seen.has(key)) {
      return
    }
    if (seen.size >= MAX_REFUSALS_PER_PERIOD) {
      if (!overflowTold) {
        overflowTold = true
        log.warn(
          { distinct: seen.size },
          'many different origins refused this hour; the rest of the hour is not logged',
        )
      }
      return
    }
    seen.add(key)
    log.warn({ form, origin }, "origin refused: not in this form's allowedOrigins")
  }
}

export function originPolicy(deps: { forms: OriginLookup; log: Logger; now?: () => number }): OriginPolicy {
  const allows = (formId: string | undefined, origin: string | undefined): boolean =>
    origin !== undefined &&
    formId !== undefined &&
    (deps.forms.config(formId)?.allowedOrigins.includes(origin) ?? false)

  // An operator who mistypes an origin (localhost vs 127.0.0.1) must be told once, not per page view.
  const logRefusal = refusalLog(deps.log, deps.now ?? Date.now)
  const refuse = (id: string, origin: string): never => {
    const shown = origin.slice(0, 200)
    logRefusal(id, shown)
    throw new OriginError(`This page's origin (${shown}) is not in allowedOrigins of form "${id}".`)
  }

  return {
    allows,
    cors(options) {
      const preflight = cors({ origin: (origin, c) => (allows(c.req.param('id'), origin) ? origin : null), ...options })
      return async function originCors(c, next) {
        if (c.req.method === 'OPTIONS') {
          return preflight(c, next)
        }
        // The same headers hono's cors sets on an actual request, set before the answer exists:
        // hono's cors writes them to `c.res` before and after `next()`, which makes every answer
        // a full web Response that is copied once more (a third of a signup's HTTP cost, measured
        // with bench/ingestion.ts). Set through `c.header`, they go into the answer as it is built.
        const origin = c.req.header('origin')
        const allowed = origin !== undefined && allows(c.req.param('id'), origin) ? origin : null
        if (allowed) {
          c.header('Access-Control-Allow-Origin', allowed)
        }
        c.header('Vary', 'Origin', { append: true })
        await next()
        // A route that returns a ready-made Response (not built through the context) did not get
        // them: add them to it.
        if (allowed && !c.res.headers.has('access-control-allow-origin')) {
          c.res.headers.set('Access-Control-Allow-Origin', allowed)
        }
        if (!/\borigin\b/i.test(c.res.headers.get('vary') ?? '')) {
          c.res.headers.append('Vary', 'Origin')
        }
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
