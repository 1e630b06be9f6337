import { Hono } from 'hono'
import type { BotGate } from '../signup/bots/gate'
import type { RateLimits, TrustProxy } from '../config/env'
import type { FormRegistry } from '../forms/registry'
import type { Logger } from '../common/log'
import type { SubmitDeps } from '../signup/submit'
import type { InfobipClient } from '../upstreams/infobip/client'
import type { StaticAsset } from './bundle'
import { notFound, onError } from './error-response'
import { clientAddress } from './middleware/client-address'
import { knownForm } from './middleware/known-form'
import { originPolicy } from './middleware/origin-policy'
import { securityHeaders } from './middleware/security-headers'
import { assetsRoute } from './routes/assets'
import { challengeRoute } from './routes/challenge'
import { formsRoute } from './routes/forms'
import { healthRoute } from './routes/health'
import { type SandboxUpstreams, sandboxUpstreamsRoute } from './routes/sandbox-upstreams'
import { submissionsRoute } from './routes/submissions'
import { viewsRoute } from './routes/views'
import { metricsRoute } from './routes/metrics'
import type { Metrics } from '../common/metrics'

export interface AppDeps {
  registry: FormRegistry
  infobip: InfobipClient
  submitDeps: SubmitDeps
  log: Logger
  bundle: () => StaticAsset | null
  /** The bundle's lazy chunks by file name (`flowform-challenge.js`). */
  chunk?: (file: string) => StaticAsset | null
  /** The demo shop's files by path, served only with the built-in demo config. */
  demoAssets?: Record<string, StaticAsset>
  rateLimits: RateLimits
  trustProxy: TrustProxy
  mode: 'sandbox' | 'live'
  /** Server-to-server callbacks mounted under /v1/hooks (the Moments report hook). */
  hooks?: Hono
  /** Bot checks: the definition's honeypot, token and challenge, and the ALTCHA challenge route. */
  bots?: BotGate
  /** Sandbox mode: the in-process fakes, for the operator CLI on this machine (routes/sandbox-upstreams.ts). */
  sandbox?: SandboxUpstreams
  /** `GET /metrics` (routes/metrics.ts): the runtime's metrics and FLOWFORM_METRICS_TOKEN (null: this machine only). */
  metrics?: { metrics: Metrics; token: string | null }
}

/**
 * The proxy as a web-standard handler: `app.fetch(request)`. The Node server (server.ts) is only an
 * adapter, so tests run it in-process and it can move to a serverless runtime. Only wiring here:
 * the rules live in middleware/ and routes/, the error mapping in error-response.ts.
 */
export function createApp(deps: AppDeps): Hono {
  const { registry, log } = deps
  const origins = originPolicy({ forms: registry, log })

  const forms = new Hono()
  // Note that `/:id/*` also matches `/:id`: both CORS layers and the known-form check run there.
  forms.use(
    '/:id/*',
    origins.cors({ allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['content-type'], maxAge: 600 }),
  )
  forms.use('/:id', origins.cors({ allowMethods: ['GET'] }))
  // Unknown ids are refused before anything else so that nothing is counted or limited for them.
  forms.use('/:id/*', knownForm(registry), clientAddress({ trustProxy: deps.trustProxy }))
  forms.route('/', formsRoute({ registry, origins, bots: deps.bots }))
  if (deps.bots) {
    // A challenge is fetched about once per view: the view limit fits.
    const perMinute = deps.rateLimits.viewsPerMinute
    forms.route('/', challengeRoute({ registry, bots: deps.bots, origins, perMinute }))
  }
  forms.route(
    '/',
    viewsRoute({ registry, infobip: deps.infobip, origins, perMinute: deps.rateLimits.viewsPerMinute, log }),
  )
  forms.route(
    '/',
    submissionsRoute({
      registry,
      submitDeps: deps.submitDeps,
      origins,
      perMinute: deps.rateLimits.submissionsPerMinute,
    }),
  )

  const app = new Hono()
  app.onError(onError(log))
  app.notFound(notFound(log))
  app.use(securityHeaders())
  app.route('/', healthRoute(deps.mode))
  if (deps.metrics) {
    app.route('/', metricsRoute(deps.metrics))
  }
  app.route('/', assetsRoute({ bundle: deps.bundle, chunk: deps.chunk, demoAssets: deps.demoAssets, log }))
  app.route('/v1/forms', forms)
  if (deps.hooks) {
    app.route('/v1/hooks', deps.hooks)
  }
  if (deps.sandbox) {
    app.route('/sandbox', sandboxUpstreamsRoute(deps.sandbox))
  }
  return app
}
