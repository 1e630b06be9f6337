import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { createApp, type RateLimits } from './app'
import { type LoadedConfig, loadConfig } from './config/load'
import { directMomentsGateway, type MomentsGateway } from './enrol/moments'
import type { ProxyEnv } from './env'
import { FormRegistry } from './forms/registry'
import { readBundle, type StaticAsset, staticAsset } from './http/bundle'
import type { Logger } from './log'
import { Outbox } from './outbox/outbox'
import { type OutboxWorker, startOutboxWorker } from './outbox/worker'
import { createInfobipFake, type InfobipFake } from './sandbox/infobip-fake'
import { createDeliverer } from './submissions/deliver'
import { staticAuth } from './upstream/infobip-auth'
import { InfobipClient } from './upstream/infobip-client'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SANDBOX_BASE_URL = 'https://sandbox.infobip.invalid'

export interface Runtime {
  app: Hono
  loaded: LoadedConfig
  mode: 'sandbox' | 'live'
  outbox: Outbox
  worker: OutboxWorker
  infobip: InfobipClient
  /** The in-process Infobip fake, in sandbox mode. */
  fake: InfobipFake | null
  close(): Promise<void>
}

export interface RuntimeOptions {
  env: ProxyEnv
  log: Logger
  /** The origin(s) the demo config allows: where the proxy itself is reached. */
  publicOrigins: string[]
  bundlePath?: string
  fetch?: typeof fetch
  waitMs?: number
  rateLimits?: RateLimits
  workerIntervalMs?: number
  trustProxy?: boolean
}

/** Builds the whole proxy from its environment: the one place where the parts are wired together. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { env, log } = options
  const loaded = loadConfig({ path: env.configPath, demoOrigins: options.publicOrigins })
  const fake = env.infobip ? null : createInfobipFake()
  const infobip = new InfobipClient(
    env.infobip
      ? { baseUrl: env.infobip.baseUrl, auth: staticAuth(env.infobip.auth), ...(options.fetch ? { fetch: options.fetch } : {}) }
      : { baseUrl: SANDBOX_BASE_URL, auth: staticAuth({ kind: 'app', apiKey: 'sandbox' }), fetch: (input, init) => fake!.fetch(new Request(input, init)) },
  )
  const moments: MomentsGateway = directMomentsGateway(infobip)
  const outbox = Outbox.open(env.dataDir)
  const deliverer = createDeliverer({ infobip, moments })
  const worker = startOutboxWorker({ outbox, deliverer, log, intervalMs: options.workerIntervalMs ?? 1_000 })
  const registry = new FormRegistry({ config: loaded.config, infobip, log })
  const bundlePath = options.bundlePath ?? `${ROOT}dist/flowform.js`
  let bundle: StaticAsset | null = readBundle(bundlePath)
  const mode = env.infobip ? 'live' : 'sandbox'
  const app = createApp({
    registry,
    infobip,
    submitDeps: { outbox, deliverer, log, waitMs: options.waitMs ?? 3_000 },
    log,
    // Read again when missing so that `npm run dev` can build after the server started.
    bundle: () => (bundle ??= readBundle(bundlePath)),
    ...(loaded.source === null ? { demoAssets: demoAssets() } : {}),
    mode,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  })
  return {
    app,
    loaded,
    mode,
    outbox,
    worker,
    infobip,
    fake,
    async close() {
      await worker.stop()
      outbox.close()
    },
  }
}

function demoAssets(): Record<string, StaticAsset> {
  return {
    '/': staticAsset(readFileSync(`${ROOT}demo/index.html`), 'text/html; charset=utf-8'),
    '/demo/shop.css': staticAsset(readFileSync(`${ROOT}demo/shop.css`), 'text/css; charset=utf-8'),
  }
}
