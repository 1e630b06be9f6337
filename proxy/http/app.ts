import { Hono } from 'hono'
import { FORM_ID } from '../../contract/definition'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { rateLimiter } from 'hono-rate-limiter'
import { errorResponse } from './error-response'
import {
  BadRequestError,
  NotFoundError,
  OriginError,
  PayloadTooLargeError,
  RateLimitError,
  UnsupportedMediaTypeError,
} from './errors'
import { localiseForm } from '../forms/localise'
import type { FormRegistry } from '../forms/registry'
import { type StaticAsset, serveAsset } from './bundle'
import { clientIp } from './client-ip'
import type { Logger } from '../log'
import type { InfobipClient } from '../upstreams/infobip/client'
import { SubmissionBody } from '../signup/schema'
import { type SubmitDeps, submit } from '../signup/submit'

export interface RateLimits {
  /** Submissions per client address per minute, per form. */
  submissionsPerMinute: number
  viewsPerMinute: number
}

export interface AppDeps {
  registry: FormRegistry
  infobip: InfobipClient
  submitDeps: SubmitDeps
  log: Logger
  bundle: () => StaticAsset | null
  /** The demo shop's files by path, served only with the built-in demo config. */
  demoAssets?: Record<string, StaticAsset>
  rateLimits?: RateLimits
  trustProxy?: boolean
  mode: 'sandbox' | 'live'
  /** Server-to-server callbacks mounted under /v1/hooks (the Moments report hook). */
  hooks?: Hono
}

const MAX_BODY_BYTES = 16 * 1024

/**
 * The policy of the demo pages: what a careful shop sends. The widget must work under it (no
 * inline script or style, no eval), so the demo proves it on every page.
 */
export const DEMO_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * The proxy as a web-standard handler: `app.fetch(request)`. The Node server in main.ts is only an
 * adapter, so tests run it in-process and it can move to a serverless runtime.
 */
export function createApp(deps: AppDeps): Hono {
  const { registry, log } = deps
  const limits = deps.rateLimits ?? { submissionsPerMinute: 20, viewsPerMinute: 120 }
  const app = new Hono()

  app.onError((error, c) => {
    const response = errorResponse(error, log)
    // A shop whose origin is refused, or that names a form that does not exist, must be able to
    // read why: the answer carries no data, only the error, so it is readable from any origin.
    const origin = c.req.header('origin')
    if (origin && c.req.path.startsWith('/v1/forms/') && !response.headers.has('access-control-allow-origin')) {
      response.headers.set('access-control-allow-origin', origin)
      response.headers.append('vary', 'origin')
    }
    return response
  })
  app.notFound(() => errorResponse(new NotFoundError('Not found.'), log))

  app.get('/healthz', (c) => c.json({ status: 'ok', mode: deps.mode }))

  app.on(['GET', 'HEAD'], '/flowform.js', (c) => {
    const bundle = deps.bundle()
    if (!bundle) {
      log.error('dist/flowform.js is missing: run "npm run build"')
      throw new NotFoundError('The widget bundle is not built.')
    }
    return serveAsset(bundle, c.req.raw, 'public, max-age=300, stale-while-revalidate=86400')
  })

  for (const [path, asset] of Object.entries(deps.demoAssets ?? {})) {
    app.get(path, (c) => {
      const response = serveAsset(asset, c.req.raw, 'no-cache')
      if (asset.contentType.startsWith('text/html')) {
        response.headers.set('content-security-policy', DEMO_CSP)
      }
      return response
    })
  }

  const allowedOrigin = (formId: string | undefined, origin: string | undefined): boolean =>
    origin !== undefined && formId !== undefined && (registry.config(formId)?.allowedOrigins.includes(origin) ?? false)

  const forms = new Hono<{ Variables: { formId: string } }>()
  const droppedViews = viewDropCounter(log)

  forms.use(
    '/:id/*',
    cors({
      origin: (origin, c) => (allowedOrigin(c.req.param('id'), origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['content-type'],
      maxAge: 600,
    }),
  )
  forms.use(
    '/:id',
    cors({ origin: (origin, c) => (allowedOrigin(c.req.param('id'), origin) ? origin : null), allowMethods: ['GET'] }),
  )

  // Unknown ids are refused before anything else so that nothing is counted or limited for them.
  forms.use('/:id/*', async (c, next) => {
    const id = c.req.param('id')
    if (!FORM_ID.test(id) || !registry.config(id)) {
      throw new NotFoundError(`There is no form "${id}".`, 'form_not_found')
    }
    await next()
  })

  // An operator who mistypes an origin (localhost vs 127.0.0.1) must be told once, not per page view.
  const refusedOrigins = new Set<string>()
  const refuseOrigin = (id: string, origin: string): never => {
    const shown = origin.slice(0, 200)
    const key = `${id} ${shown}`
    if (!refusedOrigins.has(key) && refusedOrigins.size < 1_000) {
      refusedOrigins.add(key)
      log.warn({ form: id, origin: shown }, "origin refused: not in this form's allowedOrigins")
    }
    throw new OriginError(`This page's origin (${shown}) is not in allowedOrigins of form "${id}".`)
  }

  const checkOrigin = (c: { req: { param(name: 'id'): string; header(name: string): string | undefined } }) => {
    const origin = c.req.header('origin')
    if (!origin) {
      throw new OriginError('An Origin header is required.')
    }
    if (!allowedOrigin(c.req.param('id'), origin)) {
      refuseOrigin(c.req.param('id'), origin)
    }
  }

  forms.get('/:id', async (c) => {
    const id = c.req.param('id')
    if (!FORM_ID.test(id)) {
      throw new NotFoundError(`There is no form "${id}".`, 'form_not_found')
    }
    const origin = c.req.header('origin')
    if (origin !== undefined && registry.config(id) && !allowedOrigin(id, origin)) {
      refuseOrigin(id, origin)
    }
    const form = await registry.resolve(id)
    // The CORS middleware already adds `Vary: Origin`.
    c.header('cache-control', 'public, max-age=60')
    // Texts in the visitor's language; English without ?locale=.
    return c.json(localiseForm(form.definition, form.config.texts, c.req.query('locale')))
  })

  const limiter = (name: string, limit: number) =>
    rateLimiter({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-6',
      keyGenerator: (c) => `${name}:${c.req.param('id') ?? ''}:${clientIp(c, deps.trustProxy ?? false)}`,
      handler: () => {
        throw new RateLimitError(60)
      },
    })

  forms.post('/:id/views', limiter('views', limits.viewsPerMinute), async (c) => {
    checkOrigin(c)
    const config = registry.config(c.req.param('id'))
    if (config?.infobipFormId) {
      const infobipFormId = config.infobipFormId
      // Counting a view must never hold up the page: answer now, forward in the background.
      void deps.infobip.incrementViews(infobipFormId).then(
        (sent) => {
          if (!sent) {
            droppedViews.count(config.id)
          }
        },
        (error: unknown) => {
          droppedViews.count(config.id, error instanceof Error ? error.message : String(error))
        },
      )
    }
    return c.body(null, 204)
  })

  forms.post(
    '/:id/submissions',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`The request body must be at most ${MAX_BODY_BYTES} bytes.`)
      },
    }),
    limiter('submissions', limits.submissionsPerMinute),
    async (c) => {
      checkOrigin(c)
      const type = c.req.header('content-type') ?? ''
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new UnsupportedMediaTypeError('Send the submission as application/json.')
      }
      let raw: unknown
      try {
        raw = await c.req.json()
      } catch {
        throw new BadRequestError('The request body is not valid JSON.')
      }
      const body = SubmissionBody.safeParse(raw)
      if (!body.success) {
        throw new BadRequestError('The request body must be {"values": {"<field>": value, ...}}.')
      }
      const form = await registry.resolve(c.req.param('id'))
      const origin = c.req.header('origin') ?? ''
      const status = await submit(deps.submitDeps, form, body.data, { source: new URL(origin).host })
      return c.json({ status }, status === 'queued' ? 202 : 200)
    },
  )

  app.route('/v1/forms', forms)
  if (deps.hooks) {
    app.route('/v1/hooks', deps.hooks)
  }
  return app
}

/**
 * Views not forwarded upstream: the first is logged at once, the rest of that minute as one line with
 * a count, so a busy day does not write a log line per page view.
 */
function viewDropCounter(log: Logger, intervalMs = 60_000): { count(form: string, reason?: string): void } {
  const pending = new Map<string, { dropped: number; reason: string }>()
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    timer = null
    for (const [form, { dropped, reason }] of pending) {
      log.warn({ form, dropped, reason }, 'view count not forwarded')
    }
    pending.clear()
  }
  return {
    count(form, reason = 'Infobip calls are queueing; signups go first') {
      if (!timer) {
        log.warn({ form, dropped: 1, reason }, 'view count not forwarded')
        timer = setTimeout(flush, intervalMs)
        timer.unref?.()
        return
      }
      const entry = pending.get(form) ?? { dropped: 0, reason }
      entry.dropped++
      entry.reason = reason
      pending.set(form, entry)
    },
  }
}
