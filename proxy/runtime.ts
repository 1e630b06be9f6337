import type { Hono } from 'hono'
import { dirname, join } from 'node:path'
import { type BotRuntimeOptions, createBotGate } from './signup/bots/from-env'
import { DEFAULTS } from './config/defaults'
import type { ProxyEnv, RateLimits, TrustProxy } from './config/env'
import { type LoadedConfig, loadConfig } from './config/load'
import { checkRapidproForms, deadline, embeddedOnly, pick, relay } from './runtime-helpers'
import type { Outbox } from './delivery/outbox'
import { type DeliveryStore, openDeliveryStore } from './delivery/open-store'
import { startDelivery } from './delivery/from-env'
import type { BreakerOptions, UpstreamHealth } from './delivery/upstream-health'
import { Metrics } from './common/metrics'
import { startConsentRetention } from './delivery/consent-retention'
import { addEnvSecrets } from './common/redact'
import { directMomentsGateway, type MomentsGateway } from './delivery/targets/moments'
import type { OutboxWorker } from './delivery/worker'
import { FormRegistry } from './forms/registry'
import { createApp } from './http/app'
import { readBundle, type StaticAsset } from './http/bundle'
import { demoAssets } from './http/routes/assets'
import { inProcessHook, momentsHooks, notifyUrlWithSecret } from './http/routes/moments-hook'
import type { Logger } from './common/log'
import type { AccountLimiterOptions } from './upstreams/infobip/account-limiter'
import type { InfobipClient } from './upstreams/infobip/client'
import { createClients, type UpstreamClients } from './upstreams/infobip/from-env'
import { MomentsBatcher } from './upstreams/infobip/moments-batcher'
import { MomentsReportTracker } from './upstreams/infobip/moments-tracker'
import type { RapidproClient } from './upstreams/rapidpro/client'
import { createRapidpro } from './upstreams/rapidpro/from-env'
import { packageRoot } from './common/root'
import type { SandboxInfobipOptions, SandboxRapidproOptions, SandboxUpstream } from './upstreams/sandbox'
import { newSandboxToken } from './upstreams/sandbox-link'

const ROOT = packageRoot()

export interface Runtime {
  app: Hono
  loaded: LoadedConfig
  mode: 'sandbox' | 'live'
  /** Where deliveries live (delivery/open-store.ts): the embedded outbox or the shared PostgreSQL store. */
  store: DeliveryStore
  /** The embedded SQLite outbox, for tests and benchmarks; throws with FLOWFORM_DATABASE_URL (use `store.queue`). */
  readonly outbox: Outbox
  worker: OutboxWorker
  /** The upstreams' circuit breakers (delivery/upstream-health.ts). */
  health: UpstreamHealth
  /** What GET /metrics reports (common/metrics.ts), one registry per runtime. */
  metrics: Metrics
  infobip: InfobipClient
  /** The in-process Infobip fake, in sandbox mode (tests reach its levers with infobipFakeOf, fakes/). */
  fake: SandboxUpstream | null
  /** null when RapidPro is off (live Infobip without RAPIDPRO_BASE_URL/RAPIDPRO_TOKEN). */
  rapidpro: RapidproClient | null
  /** The in-process RapidPro fake, in sandbox mode (tests: rapidproFakeOf, fakes/). */
  rapidproFake: SandboxUpstream | null
  /** Sandbox mode: what the CLI must send to reach the fakes at /sandbox/* (upstreams/sandbox-link.ts). */
  sandboxToken: string | null
  close(): Promise<void>
}

export interface RuntimeOptions {
  env: ProxyEnv
  log: Logger
  /** The origin(s) the demo config allows: where the proxy itself is reached. */
  publicOrigins: string[]
  bundlePath?: string
  fetch?: typeof fetch
  /** Clock for Infobip session and token lifetimes (tests). */
  now?: () => number
  waitMs?: number
  /** How long a `confirmation: "flow"` request may take in all before it answers "queued" (default FLOWFORM_FLOW_DEADLINE_MS). */
  requestDeadlineMs?: number
  /** The upstreams' circuit breakers: failures to open, open periods (tests, benchmark). */
  breaker?: BreakerOptions
  /** Deliveries the worker claims per pass (default worker.ts). */
  workerBatchSize?: number
  rateLimits?: RateLimits
  workerIntervalMs?: number
  trustProxy?: TrustProxy
  /** Moments batching and report tracking (defaults: env, then config/defaults.ts and the parts). */
  moments?: MomentsOptions
  /** The Infobip account limiter (default perSecond: INFOBIP_REQUESTS_PER_SECOND, else config/defaults.ts). */
  limiter?: AccountLimiterOptions
  /** Options of the in-process Infobip fake in sandbox mode (tests, benchmark). */
  sandbox?: SandboxInfobipOptions
  /** Options of the in-process RapidPro fake in sandbox mode (tests). */
  rapidproSandbox?: SandboxRapidproOptions
  /** Bot checks: clock, fetch for the challenge providers, or all off (see bots/from-env.ts). */
  bots?: BotRuntimeOptions
}

export interface MomentsOptions {
  /** false: one call and one report poll per participant (the old behaviour; benchmark baseline). */
  batching?: boolean
  windowMs?: number
  maxBatch?: number
  pollMs?: number
  maxPollMs?: number
  /** Operations not final after this fail for the operator; default 24 h. */
  maxAgeMs?: number
}

/**
 * Builds the whole proxy from its environment: the one place where the parts are wired together,
 * each built after what it needs. Two calls run against that order and go through an object made
 * first: the sandbox fake's report posts (to the app, built last) and the tracker's "operation
 * finished" (to the worker).
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env, log } = options
  // An environment built by hand (tests, embedding) did not pass readEnv: its secrets are redacted too.
  addEnvSecrets(env)
  const loaded = loadConfig({ path: env.configPath, demoOrigins: options.publicOrigins })
  // The fake posts Moments reports to notifyUrl; the public URL points at this proxy, so it is
  // delivered in-process and the sandbox exercises the hook as Infobip would.
  const hook = inProcessHook()
  // The store first: with PostgreSQL it also carries the Infobip limiter all instances share.
  const store = await openDeliveryStore(env, { log })
  const metrics = new Metrics()
  const { infobip, fake, mode, rapidpro, rapidproFake } = await buildUpstreams(options, hook.post, store, metrics)
  checkRapidproForms(loaded, rapidpro !== null, log)
  const notify = env.momentsNotify ?? null
  const operationDone = relay<[operationId: string]>()
  const { tracker, moments } = buildMoments(options, infobip, operationDone.call)

  // ---- delivery: the store (one factory for both backends), breakers, deliverer, worker (delivery/from-env.ts) ----
  const { deliverer, worker, health, ...delivery } = startDelivery({
    store,
    dataDir: env.dataDir,
    log,
    upstreams: { infobip, moments, rapidpro },
    metrics,
    autoStart: env.worker !== false,
    workerIntervalMs: options.workerIntervalMs,
    workerBatchSize: options.workerBatchSize,
    breaker: options.breaker,
  })
  // A finished operation settles its waiting deliveries now instead of at their next poll; in the
  // shared store the wake is seen by every instance's worker, whichever instance got the report.
  operationDone.connect((operationId) => void worker.wake(operationId))
  const consentRetention = startConsentRetention({ store: store.queue.consents, config: loaded.config, log })
  // ---- end of delivery ----

  const bots = createBotGate(env, loaded, log, {
    ...options.bots,
    ...(store.spentChallenges ? { spent: store.spentChallenges } : {}),
  })
  const sandboxToken = fake ? newSandboxToken() : null
  const app = buildApp(options, {
    loaded,
    bots,
    mode,
    infobip,
    submitDeps: {
      outbox: store.queue,
      store: store.writer,
      deliverOnAccept: store.deliverOnAccept,
      deliverer,
      log,
      waitMs: options.waitMs ?? DEFAULTS.requestWaitMs,
      rapidproEnabled: rapidpro !== null,
      bots,
      metrics,
      ...deadline(options.requestDeadlineMs ?? env.flowDeadlineMs),
    },
    metrics: { metrics, token: env.metricsToken ?? null },
    hooks: momentsHooks({ secret: notify?.secret ?? null, feed: (report) => tracker.feed(report), log }),
    ...(fake && sandboxToken ? { sandbox: { infobip: fake, rapidpro: rapidproFake, token: sandboxToken } } : {}),
  })
  hook.connect((request) => app.fetch(request))
  return {
    app,
    loaded,
    mode,
    store,
    outbox: store.outbox ?? embeddedOnly(),
    worker,
    health,
    metrics,
    infobip,
    fake,
    rapidpro,
    rapidproFake,
    sandboxToken,
    async close() {
      await delivery.close()
      consentRetention.stop()
      await moments.close?.()
      tracker.close()
      // An IBSSO session is destroyed, not left to time out (Infobip asks for it).
      await infobip.close()
      await store.queue.close()
    },
  }
}

/** The upstream clients, or in sandbox mode the in-process fakes behind them. */
async function buildUpstreams(
  options: RuntimeOptions,
  notify: (url: string, body: unknown) => Promise<void>,
  store: DeliveryStore,
  metrics: Metrics,
): Promise<UpstreamClients & { rapidpro: RapidproClient | null; rapidproFake: SandboxUpstream | null }> {
  const { infobip, fake, mode } = await createClients(options.env, {
    ...(store.sharedLimiter ? { sharedLimiter: store.sharedLimiter } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    limiter: {
      ...options.limiter,
      onWait: (ms) => metrics.limiterWaitSeconds.observe({ upstream: 'infobip' }, ms / 1000),
    },
    wrapFetch: (fetch) => metrics.meterFetch('infobip', fetch),
    sandbox: { notify, ...options.sandbox },
  })
  const { client: rapidpro, fake: rapidproFake } = await createRapidpro(options.env, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    wrapFetch: (fetch) => metrics.meterFetch('rapidpro', fetch),
    ...(options.rapidproSandbox ? { sandbox: options.rapidproSandbox } : {}),
  })
  return { infobip, fake, mode, rapidpro, rapidproFake }
}

/** Moments: the report tracker and the gateway deliveries go through (batched unless switched off). */
function buildMoments(
  options: RuntimeOptions,
  infobip: InfobipClient,
  onComplete: (operationId: string) => void,
): { tracker: MomentsReportTracker; moments: MomentsGateway } {
  const { env, log } = options
  const notify = env.momentsNotify ?? null
  const tracker = new MomentsReportTracker({
    fetchReport: (campaignId, operationId) => infobip.getMomentsReport(campaignId, operationId),
    log,
    onComplete,
    ...pick(options.moments, ['pollMs', 'maxPollMs', 'maxAgeMs']),
  })
  const moments: MomentsGateway =
    options.moments?.batching === false
      ? directMomentsGateway(infobip)
      : new MomentsBatcher({
          client: infobip,
          tracker,
          log,
          windowMs: options.moments?.windowMs ?? env.momentsBatchWindowMs ?? DEFAULTS.momentsBatchWindowMs,
          ...pick(options.moments, ['maxBatch']),
          notifyUrl: notify ? notifyUrlWithSecret(notify.url, notify.secret) : undefined,
        })
  return { tracker, moments }
}

/** The HTTP app over the built parts, with the environment's HTTP settings and their defaults. */
function buildApp(
  options: RuntimeOptions,
  parts: Pick<
    Parameters<typeof createApp>[0],
    'infobip' | 'submitDeps' | 'mode' | 'hooks' | 'bots' | 'sandbox' | 'metrics'
  > & {
    loaded: LoadedConfig
  },
): Hono {
  const { env, log } = options
  const bundlePath = options.bundlePath ?? `${ROOT}dist/flowform.js`
  let bundle: StaticAsset | null = readBundle(bundlePath)
  const chunks = new Map<string, StaticAsset>()
  const { loaded, ...rest } = parts
  return createApp({
    ...rest,
    registry: new FormRegistry({ config: loaded.config, infobip: parts.infobip, log }),
    log,
    // Read again when missing so that `npm run dev` can build after the server started.
    bundle: () => (bundle ??= readBundle(bundlePath)),
    // The lazy chunks beside it, read on first request (the route passes only `flowform-<name>.js`).
    chunk: (file) => {
      const found = chunks.get(file) ?? readBundle(join(dirname(bundlePath), file))
      if (found) {
        chunks.set(file, found)
      }
      return found
    },
    ...(loaded.source === null ? { demoAssets: demoAssets(ROOT) } : {}),
    rateLimits: options.rateLimits ??
      env.rateLimits ?? {
        submissionsPerMinute: DEFAULTS.submissionsPerMinute,
        viewsPerMinute: DEFAULTS.viewsPerMinute,
      },
    trustProxy: options.trustProxy ?? env.trustProxy ?? 0,
  })
}
