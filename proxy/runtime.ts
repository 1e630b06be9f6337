import type { Hono } from 'hono'
import { dirname, join } from 'node:path'
import { type BotRuntimeOptions, createBotGate } from './signup/bots/from-env'
import { DEFAULTS } from './config/defaults'
import type { ProxyEnv, RateLimits, TrustProxy } from './config/env'
import { ConfigError, type LoadedConfig, loadConfig } from './config/load'
import { createDeliverer } from './delivery/dispatch'
import type { Outbox } from './delivery/outbox'
import { type DeliveryStore, openDeliveryStore } from './delivery/open-store'
import { startConsentRetention } from './delivery/consent-retention'
import { addEnvSecrets } from './common/redact'
import { directMomentsGateway, type MomentsGateway } from './delivery/targets/moments'
import { type OutboxWorker, startOutboxWorker } from './delivery/worker'
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
  /** How long a submission request may take in all before it answers "queued". */
  requestDeadlineMs?: number
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
  const { infobip, fake, mode, rapidpro, rapidproFake } = await buildUpstreams(options, hook.post, store)
  checkRapidproForms(loaded, rapidpro !== null, log)
  const notify = env.momentsNotify ?? null
  const operationDone = relay<[operationId: string]>()
  const { tracker, moments } = buildMoments(options, infobip, operationDone.call)

  // ---- delivery: the store (one factory for both backends), deliverer, worker and its wake-up ----
  const deliverer = createDeliverer({ infobip, moments, rapidpro })
  const worker = startOutboxWorker({
    outbox: store.queue,
    deliverer,
    log,
    autoStart: env.worker !== false,
    // Shared store: instant signups are left to the workers, so they look often (a cheap indexed query).
    intervalMs:
      options.workerIntervalMs ??
      (store.kind === 'postgres' ? DEFAULTS.sharedWorkerIntervalMs : DEFAULTS.workerIntervalMs),
  })
  // A finished operation settles its waiting deliveries now instead of at their next poll; in the
  // shared store the wake is seen by every instance's worker, whichever instance got the report.
  operationDone.connect((operationId) => void worker.wake(operationId))
  const consentRetention = startConsentRetention({ store: store.queue.consents, config: loaded.config, log })
  // ---- end of delivery ----

  const bots = createBotGate(env, loaded, log, options.bots)
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
      ...(options.requestDeadlineMs !== undefined ? { deadlineMs: options.requestDeadlineMs } : {}),
    },
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
    infobip,
    fake,
    rapidpro,
    rapidproFake,
    sandboxToken,
    async close() {
      await worker.stop()
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
): Promise<UpstreamClients & { rapidpro: RapidproClient | null; rapidproFake: SandboxUpstream | null }> {
  const { infobip, fake, mode } = await createClients(options.env, {
    ...(store.sharedLimiter ? { sharedLimiter: store.sharedLimiter } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
    sandbox: { notify, ...options.sandbox },
  })
  const { client: rapidpro, fake: rapidproFake } = await createRapidpro(options.env, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
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
  parts: Pick<Parameters<typeof createApp>[0], 'infobip' | 'submitDeps' | 'mode' | 'hooks' | 'bots' | 'sandbox'> & {
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

/** Forms that deliver only to RapidPro stop the start when RapidPro is off; others get a warning. */
function checkRapidproForms(loaded: LoadedConfig, rapidproEnabled: boolean, log: Logger): void {
  if (rapidproEnabled) {
    return
  }
  const stranded = loaded.config.forms.filter((f) => f.rapidpro && !f.flow && !f.infobipFormId)
  if (stranded.length > 0) {
    // Their signups would go nowhere: better not to start than to thank people and drop them.
    const ids = stranded.map((f) => `"${f.id}"`).join(', ')
    throw new ConfigError(
      `Config ${loaded.source ?? 'built-in demo config'}: form ${ids} delivers only to RapidPro, but RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN are not set`,
    )
  }
  const skipped = loaded.config.forms.filter((f) => f.rapidpro).map((f) => f.id)
  if (skipped.length > 0) {
    log.warn(
      { forms: skipped },
      'RapidPro is not configured (RAPIDPRO_BASE_URL, RAPIDPRO_TOKEN): the "rapidpro" blocks of these forms are skipped',
    )
  }
}

/** Stands for the embedded outbox on PostgreSQL: any use says where to look instead. */
function embeddedOnly(): Outbox {
  return new Proxy({} as Outbox, {
    get() {
      throw new Error('runtime.outbox is the embedded outbox; with FLOWFORM_DATABASE_URL use runtime.store.queue')
    },
  })
}

/** A call whose target is connected after the caller is built: a construction cycle, broken in the open. */
function relay<A extends unknown[]>(): { call: (...args: A) => void; connect(target: (...args: A) => void): void } {
  let target: ((...args: A) => void) | null = null
  return {
    call: (...args) => target?.(...args),
    connect(next) {
      target = next
    },
  }
}

/** The keys of `source` that are set, for passing optional settings on without `undefined`s. */
function pick<T extends object, K extends keyof T>(source: T | undefined, keys: K[]): Partial<Pick<T, K>> {
  const result: Partial<Pick<T, K>> = {}
  for (const key of keys) {
    if (source?.[key] !== undefined) {
      result[key] = source[key]
    }
  }
  return result
}
