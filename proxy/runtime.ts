import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { createApp, type RateLimits } from './http/app'
import { createClients } from './upstreams/infobip/from-env'
import { ConfigError, type LoadedConfig, loadConfig } from './config/load'
import { directMomentsGateway, type MomentsGateway } from './delivery/targets/moments'
import { MomentsBatcher } from './upstreams/infobip/moments-batcher'
import { momentsHooks, notifyUrlWithSecret } from './http/routes/moments-hook'
import { MomentsReportTracker } from './upstreams/infobip/moments-tracker'
import type { ProxyEnv } from './config/env'
import { FormRegistry } from './forms/registry'
import { readBundle, type StaticAsset, staticAsset } from './http/bundle'
import type { Logger } from './log'
import { Outbox } from './delivery/outbox'
import { type OutboxWorker, startOutboxWorker } from './delivery/worker'
import type { RapidproClient } from './upstreams/rapidpro/client'
import { createRapidpro } from './upstreams/rapidpro/from-env'
import type { RapidproFake, RapidproFakeOptions } from '../fakes/rapidpro-fake'
import type { InfobipFake, InfobipFakeOptions } from '../fakes/infobip-fake'
import { createDeliverer } from './delivery/dispatch'
import type { AccountLimiterOptions } from './upstreams/infobip/account-limiter'
import type { InfobipClient } from './upstreams/infobip/client'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface Runtime {
  app: Hono
  loaded: LoadedConfig
  mode: 'sandbox' | 'live'
  outbox: Outbox
  worker: OutboxWorker
  infobip: InfobipClient
  /** The in-process Infobip fake, in sandbox mode. */
  fake: InfobipFake | null
  /** null when RapidPro is off (live Infobip without RAPIDPRO_BASE_URL/RAPIDPRO_TOKEN). */
  rapidpro: RapidproClient | null
  /** The in-process RapidPro fake, in sandbox mode. */
  rapidproFake: RapidproFake | null
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
  trustProxy?: boolean
  /** Moments batching and report tracking (defaults: env, then moments-batcher.ts / moments-tracker.ts). */
  moments?: MomentsOptions
  /** The Infobip account limiter (default perSecond: INFOBIP_REQUESTS_PER_SECOND, else 10). */
  limiter?: AccountLimiterOptions
  /** Options of the in-process Infobip fake in sandbox mode (tests, benchmark). */
  sandbox?: InfobipFakeOptions
  /** Options of the in-process RapidPro fake in sandbox mode (tests). */
  rapidproSandbox?: RapidproFakeOptions
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

/** Builds the whole proxy from its environment: the one place where the parts are wired together. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { env, log } = options
  const loaded = loadConfig({ path: env.configPath, demoOrigins: options.publicOrigins })
  let app: Hono | null = null
  const { infobip, fake, mode } = createClients(env, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
    // The fake posts Moments reports to notifyUrl; the public URL points at this proxy, so it is
    // delivered in-process and the sandbox exercises the hook as Infobip would.
    sandbox: { notify: (url, body) => postInProcess(app, url, body), ...options.sandbox },
  })
  const { client: rapidpro, fake: rapidproFake } = createRapidpro(env, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.rapidproSandbox ? { sandbox: options.rapidproSandbox } : {}),
  })
  const stranded = loaded.config.forms.filter((f) => f.rapidpro && !f.flow && !f.infobipFormId)
  if (!rapidpro && stranded.length > 0) {
    // Their signups would go nowhere: better not to start than to thank people and drop them.
    const ids = stranded.map((f) => `"${f.id}"`).join(', ')
    throw new ConfigError(
      `Config ${loaded.source ?? 'built-in demo config'}: form ${ids} delivers only to RapidPro, but RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN are not set`,
    )
  }
  const skipped = loaded.config.forms.filter((f) => f.rapidpro).map((f) => f.id)
  if (!rapidpro && skipped.length > 0) {
    log.warn(
      { forms: skipped },
      'RapidPro is not configured (RAPIDPRO_BASE_URL, RAPIDPRO_TOKEN): the "rapidpro" blocks of these forms are skipped',
    )
  }
  const outbox = Outbox.open(env.dataDir)
  const notify = env.momentsNotify ?? null
  const tracker = new MomentsReportTracker({
    fetchReport: (campaignId, operationId) => infobip.getMomentsReport(campaignId, operationId),
    log,
    onComplete: (operationId) => void worker.wake(operationId),
    ...pick(options.moments, ['pollMs', 'maxPollMs', 'maxAgeMs']),
  })
  const moments: MomentsGateway =
    options.moments?.batching === false
      ? directMomentsGateway(infobip)
      : new MomentsBatcher({
          client: infobip,
          tracker,
          log,
          windowMs: options.moments?.windowMs ?? env.momentsBatchWindowMs ?? 150,
          ...pick(options.moments, ['maxBatch']),
          notifyUrl: notify ? notifyUrlWithSecret(notify.url, notify.secret) : undefined,
        })
  const deliverer = createDeliverer({ infobip, moments, rapidpro })
  const worker = startOutboxWorker({ outbox, deliverer, log, intervalMs: options.workerIntervalMs ?? 1_000 })
  const registry = new FormRegistry({ config: loaded.config, infobip, log })
  const bundlePath = options.bundlePath ?? `${ROOT}dist/flowform.js`
  let bundle: StaticAsset | null = readBundle(bundlePath)
  const rateLimits = options.rateLimits ?? env.rateLimits
  const trustProxy = options.trustProxy ?? env.trustProxy
  app = createApp({
    registry,
    infobip,
    submitDeps: {
      outbox,
      deliverer,
      log,
      waitMs: options.waitMs ?? 3_000,
      rapidproEnabled: rapidpro !== null,
      ...(options.requestDeadlineMs !== undefined ? { deadlineMs: options.requestDeadlineMs } : {}),
    },
    log,
    // Read again when missing so that `npm run dev` can build after the server started.
    bundle: () => (bundle ??= readBundle(bundlePath)),
    ...(loaded.source === null ? { demoAssets: demoAssets() } : {}),
    mode,
    ...(rateLimits ? { rateLimits } : {}),
    ...(trustProxy !== undefined ? { trustProxy } : {}),
    hooks: momentsHooks({ secret: notify?.secret ?? null, feed: (report) => tracker.feed(report), log }),
  })
  return {
    app,
    loaded,
    mode,
    outbox,
    worker,
    infobip,
    fake,
    rapidpro,
    rapidproFake,
    async close() {
      await worker.stop()
      await moments.close?.()
      tracker.close()
      outbox.close()
    },
  }
}

/** The demo shop: one page per display mode, served under a strict CSP (app.ts). */
export const DEMO_PAGES: Record<string, string> = {
  '/': 'index.html',
  '/popup': 'popup.html',
  '/slide-in': 'slide-in.html',
  '/dark': 'dark.html',
  '/de': 'de.html',
  '/two-forms': 'two-forms.html',
}

function demoAssets(): Record<string, StaticAsset> {
  const assets: Record<string, StaticAsset> = {
    '/demo/shop.css': staticAsset(readFileSync(`${ROOT}demo/shop.css`), 'text/css; charset=utf-8'),
    '/demo/demo.js': staticAsset(readFileSync(`${ROOT}demo/demo.js`), 'text/javascript; charset=utf-8'),
  }
  for (const [path, file] of Object.entries(DEMO_PAGES)) {
    assets[path] = staticAsset(readFileSync(`${ROOT}demo/${file}`), 'text/html; charset=utf-8')
  }
  return assets
}

async function postInProcess(app: Hono | null, url: string, body: unknown): Promise<void> {
  await app?.fetch(
    new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  )
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
