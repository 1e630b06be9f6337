import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProxyEnv, RateLimits } from '../../proxy/config/env'
import { issueToken } from '../../proxy/signup/bots/token'
import { createMemoryLogger } from '../../proxy/common/log'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../proxy/runtime'
import { type InfobipFake, infobipFakeOf } from '../../fakes/infobip-fake'
import { type RapidproFake, rapidproFakeOf } from '../../fakes/rapidpro-fake'
import { tempDir } from './temp-dir'

export const SHOP = 'https://shop.example.com'

/** The token key of every test proxy, so tests (and `submit`) can sign a timing token as the widget gets one. */
export const TEST_TOKEN_SECRET = 'test-token-secret-0123456789abcdef'

/** A timing token for `formId` issued an hour before `nowMs`: a person who took their time. */
export function testToken(formId: string, nowMs = Date.now()): string {
  return issueToken(Buffer.from(TEST_TOKEN_SECRET), formId, nowMs - 3_600_000)
}

/** The runtime, with its sandbox fakes' test levers in reach (the proxy knows them only as fetch handlers). */
export interface TestProxy extends Omit<Runtime, 'fake' | 'rapidproFake'> {
  fake: InfobipFake | null
  rapidproFake: RapidproFake | null
  logText: () => string
  logLines: () => Record<string, unknown>[]
  request(path: string, init?: RequestInit & { origin?: string | null }): Promise<Response>
  /** A submission as the widget sends it, with a valid timing token unless `extra` names its own `token`. */
  submit(formId: string, values: Record<string, unknown>, extra?: Record<string, unknown>): Promise<Response>
}

export interface TestProxyOptions {
  /**
   * A config object written to a temp file; omitted: the built-in demo config with SHOP allowed.
   * Its forms that name no `confirmation` get `"flow"`, whose answers (enrolled, field errors)
   * most tests assert; a test of the default names `"instant"` itself.
   */
  config?: unknown
  infobip?: ProxyEnv['infobip']
  fetch?: typeof fetch
  waitMs?: number
  rateLimits?: RateLimits
  bundlePath?: string
  /** More environment (notify URL, batching window, ...). */
  env?: Partial<ProxyEnv>
  /** More runtime options (Moments batching, limiter, sandbox fake options, ...). */
  runtime?: Partial<Omit<RuntimeOptions, 'env' | 'log'>>
}

/** The config with `confirmation: "flow"` on each form that names none (anything else is left to the schema). */
function waitingForTheFlow(config: unknown): unknown {
  const forms = (config as { forms?: unknown } | null)?.forms
  if (!Array.isArray(forms)) {
    return config
  }
  const withFlow = forms.map((form: unknown) =>
    form !== null && typeof form === 'object' && !('confirmation' in form) ? { ...form, confirmation: 'flow' } : form,
  )
  return { ...(config as object), forms: withFlow }
}

/** The whole proxy, in-process, with a temp data dir (removed after the test file) and a log kept in memory. */
export async function createTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const dir = tempDir('test')
  let configPath: string | undefined
  if (options.config !== undefined) {
    configPath = join(dir, 'flowform.config.json')
    writeFileSync(configPath, JSON.stringify(waitingForTheFlow(options.config)))
  }
  const memory = createMemoryLogger()
  const runtime = await createRuntime({
    env: {
      port: 0,
      host: '127.0.0.1',
      configPath,
      dataDir: join(dir, 'data'),
      infobip: options.infobip ?? null,
      rapidpro: null,
      bots: { tokenSecret: TEST_TOKEN_SECRET },
      ...options.env,
    },
    log: memory.log,
    publicOrigins: [SHOP],
    waitMs: options.waitMs ?? 1_000,
    workerIntervalMs: 3_600_000,
    rateLimits: options.rateLimits ?? { submissionsPerMinute: 1_000, viewsPerMinute: 1_000 },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.bundlePath ? { bundlePath: options.bundlePath } : {}),
    ...options.runtime,
  })
  const request = (path: string, init: RequestInit & { origin?: string | null } = {}) => {
    const headers = new Headers(init.headers)
    const origin = init.origin === undefined ? SHOP : init.origin
    if (origin !== null) {
      headers.set('origin', origin)
    }
    return Promise.resolve(runtime.app.fetch(new Request(`http://proxy.test${path}`, { ...init, headers })))
  }
  return {
    ...runtime,
    fake: infobipFakeOf(runtime.fake),
    rapidproFake: rapidproFakeOf(runtime.rapidproFake),
    logText: memory.text,
    logLines: memory.lines,
    request,
    submit: (formId, values, extra = {}) =>
      request(`/v1/forms/${formId}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ values, token: testToken(formId), ...extra }),
      }),
  }
}
