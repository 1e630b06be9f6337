import * as z from 'zod'
import { addEnvSecrets } from '../common/redact'
import { BotEnvVars, botEnv, type BotEnv } from './bot-env'
import { DEFAULTS, LOG_LEVELS, type LogLevel } from './defaults'
import { parseTrustProxy, type TrustProxy } from './trust-proxy'

export type { BotEnv, ChallengeSecret } from './bot-env'
export { parseTrustProxy, type TrustProxy } from './trust-proxy'

/** The proxy's environment (contract section 2), read once at start. Secrets live only here. */

/** Infobip's limit on a notifyUrl. */
const MAX_NOTIFY_URL_LENGTH = 1_000

const Url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

const Env = z
  .object({
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(DEFAULTS.port),
    HOST: z.string().min(1).default(DEFAULTS.host),
    FLOWFORM_CONFIG: z.string().min(1).optional(),
    FLOWFORM_DATA_DIR: z.string().min(1).default(DEFAULTS.dataDir),
    FLOWFORM_WORKER: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
    FLOWFORM_DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres://user:password@host:port/database URL' })
      .optional(),
    INFOBIP_BASE_URL: Url.optional(),
    INFOBIP_USERNAME: z.string().min(1).optional(),
    INFOBIP_PASSWORD: z.string().min(1).optional(),
    INFOBIP_API_KEY: z.string().min(1).optional(),
    INFOBIP_AUTH: z.enum(['basic', 'ibsso'], { error: 'must be "basic" or "ibsso"' }).optional(),
    INFOBIP_CLIENT_ID: z.string().min(1).optional(),
    INFOBIP_CLIENT_SECRET: z.string().min(1).optional(),
    RAPIDPRO_BASE_URL: Url.optional(),
    RAPIDPRO_TOKEN: z.string().min(1).optional(),
    FLOWFORM_NOTIFY_URL: Url.optional(),
    FLOWFORM_NOTIFY_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    FLOWFORM_MOMENTS_BATCH_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int()
      .min(0)
      .max(10_000)
      .optional(),
    INFOBIP_REQUESTS_PER_SECOND: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1_000).optional(),
    FLOWFORM_SUBMISSIONS_PER_MINUTE: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .max(100_000)
      .default(DEFAULTS.submissionsPerMinute),
    FLOWFORM_VIEWS_PER_MINUTE: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1)
      .max(100_000)
      .default(DEFAULTS.viewsPerMinute),
    TRUST_PROXY: z
      .string()
      .default('0')
      .transform((value, ctx) => {
        const parsed = parseTrustProxy(value)
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed })
          return z.NEVER
        }
        return parsed
      }),
    FLOWFORM_MAX_CONNECTIONS: z.coerce
      .number({ error: 'must be a number of connections' })
      .int()
      .min(1)
      .max(1_000_000)
      .default(DEFAULTS.maxConnections),
    FLOWFORM_FLOW_DEADLINE_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int({ error: 'must be a whole number of milliseconds' })
      .min(100, { error: 'must be at least 100 (milliseconds)' })
      .max(60_000, { error: 'must be at most 60000 (milliseconds): a person does not wait longer' })
      .optional(),
    FLOWFORM_METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default(DEFAULTS.logLevel),
  })
  .superRefine((env, ctx) => {
    const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path: path === null ? [] : [path], message })
    pairedCredentialIssues(env, issue)
    credentialKindIssues(env, issue)
    companionIssues(env, issue)
  })

/** Reports one problem with the environment, on a variable or (null) on the whole. */
type Issue = (path: string | null, message: string) => void

/** The variables whose meaning depends on others: checked together once each is valid alone. */
type CrossChecked = { readonly [K in CrossCheckedName]?: string | undefined }
type CrossCheckedName =
  | 'INFOBIP_BASE_URL'
  | 'INFOBIP_USERNAME'
  | 'INFOBIP_PASSWORD'
  | 'INFOBIP_API_KEY'
  | 'INFOBIP_AUTH'
  | 'INFOBIP_CLIENT_ID'
  | 'INFOBIP_CLIENT_SECRET'
  | 'RAPIDPRO_BASE_URL'
  | 'RAPIDPRO_TOKEN'
  | 'FLOWFORM_NOTIFY_URL'
  | 'FLOWFORM_NOTIFY_SECRET'
  | 'FLOWFORM_WORKER'
  | 'FLOWFORM_DATABASE_URL'

/** Half of a credential pair, or INFOBIP_AUTH without the username it applies to. */
function pairedCredentialIssues(env: CrossChecked, issue: Issue): void {
  if (env.INFOBIP_USERNAME !== undefined && env.INFOBIP_PASSWORD === undefined) {
    issue('INFOBIP_PASSWORD', 'is required with INFOBIP_USERNAME')
  }
  if (env.INFOBIP_PASSWORD !== undefined && env.INFOBIP_USERNAME === undefined) {
    issue('INFOBIP_USERNAME', 'is required with INFOBIP_PASSWORD')
  }
  if (env.INFOBIP_CLIENT_ID !== undefined && env.INFOBIP_CLIENT_SECRET === undefined) {
    issue('INFOBIP_CLIENT_SECRET', 'is required with INFOBIP_CLIENT_ID')
  }
  if (env.INFOBIP_CLIENT_SECRET !== undefined && env.INFOBIP_CLIENT_ID === undefined) {
    issue('INFOBIP_CLIENT_ID', 'is required with INFOBIP_CLIENT_SECRET')
  }
  if (env.INFOBIP_AUTH !== undefined && env.INFOBIP_USERNAME === undefined) {
    issue(
      'INFOBIP_AUTH',
      'chooses how INFOBIP_USERNAME and INFOBIP_PASSWORD are used; set them too, or unset INFOBIP_AUTH',
    )
  }
}

/** One kind of Infobip credentials at most, and a base URL exactly when there are some. */
function credentialKindIssues(env: CrossChecked, issue: Issue): void {
  // Names only, never values: which kinds of credentials are present.
  const kinds = [
    env.INFOBIP_API_KEY !== undefined ? 'INFOBIP_API_KEY' : null,
    env.INFOBIP_USERNAME !== undefined || env.INFOBIP_PASSWORD !== undefined
      ? 'INFOBIP_USERNAME/INFOBIP_PASSWORD'
      : null,
    env.INFOBIP_CLIENT_ID !== undefined || env.INFOBIP_CLIENT_SECRET !== undefined
      ? 'INFOBIP_CLIENT_ID/INFOBIP_CLIENT_SECRET'
      : null,
  ].filter((k): k is string => k !== null)
  if (kinds.length > 1) {
    issue(null, `set one kind of Infobip credentials, not several (found ${kinds.join(' and ')})`)
  }
  const hasCredentials = kinds.length > 0
  if (env.INFOBIP_BASE_URL !== undefined && !hasCredentials) {
    issue(
      'INFOBIP_BASE_URL',
      'is set but no credentials are: set INFOBIP_API_KEY, or INFOBIP_USERNAME and INFOBIP_PASSWORD, or INFOBIP_CLIENT_ID and INFOBIP_CLIENT_SECRET',
    )
  }
  if (hasCredentials && env.INFOBIP_BASE_URL === undefined) {
    issue('INFOBIP_BASE_URL', 'is required when Infobip credentials are set')
  }
}

/** The notify hook and RapidPro each need two variables, and the hook's URL has a length limit. */
function companionIssues(env: CrossChecked, issue: Issue): void {
  if ((env.FLOWFORM_NOTIFY_URL === undefined) !== (env.FLOWFORM_NOTIFY_SECRET === undefined)) {
    issue('FLOWFORM_NOTIFY_SECRET', 'FLOWFORM_NOTIFY_URL and FLOWFORM_NOTIFY_SECRET go together')
  }
  // Infobip refuses a notifyUrl over 1000 characters, and the secret travels inside it.
  if (env.FLOWFORM_NOTIFY_URL && env.FLOWFORM_NOTIFY_SECRET) {
    const url = new URL(env.FLOWFORM_NOTIFY_URL)
    url.searchParams.set('secret', env.FLOWFORM_NOTIFY_SECRET)
    if (url.toString().length > MAX_NOTIFY_URL_LENGTH) {
      issue('FLOWFORM_NOTIFY_URL', 'with its secret must stay within 1000 characters')
    }
  }
  if (env.FLOWFORM_WORKER === 'off' && env.FLOWFORM_DATABASE_URL === undefined) {
    issue('FLOWFORM_WORKER', 'off needs FLOWFORM_DATABASE_URL: with the embedded outbox nothing else would deliver')
  }
  if ((env.RAPIDPRO_BASE_URL === undefined) !== (env.RAPIDPRO_TOKEN === undefined)) {
    issue('RAPIDPRO_TOKEN', 'RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN go together')
  }
}

export type InfobipAuth =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'app'; apiKey: string }
  /** IBSSO session made from the username and password (`INFOBIP_AUTH=ibsso`). */
  | { kind: 'ibsso'; username: string; password: string }
  /** OAuth 2 client credentials. */
  | { kind: 'oauth'; clientId: string; clientSecret: string }

export interface RateLimits {
  /** Submissions per client address per minute, per form. */
  submissionsPerMinute: number
  /** Counted views per client address per minute, per form. */
  viewsPerMinute: number
}

export interface ProxyEnv {
  port: number
  host: string
  configPath: string | undefined
  dataDir: string
  /**
   * FLOWFORM_DATABASE_URL: the shared PostgreSQL store of every instance (contract section 6);
   * absent: the embedded SQLite outbox under dataDir.
   */
  databaseUrl?: string | undefined
  /** FLOWFORM_WORKER=off: this instance only accepts signups; workers elsewhere deliver them (PostgreSQL only). */
  worker?: boolean
  /** null: sandbox mode, with the in-process fake. */
  infobip: { baseUrl: string; auth: InfobipAuth } | null
  rapidpro: { baseUrl: string; token: string } | null
  /**
   * Where Infobip should post Moments reports (FLOWFORM_NOTIFY_URL, public) and the secret that
   * proves a post comes from there (FLOWFORM_NOTIFY_SECRET). Absent: reports are polled only.
   */
  momentsNotify?: { url: string; secret: string } | null
  /** FLOWFORM_MOMENTS_BATCH_MS: how long a Moments batch waits for company (default: defaults.ts). */
  momentsBatchWindowMs?: number | undefined
  /** INFOBIP_REQUESTS_PER_SECOND: the account's rate limit shared by every call (default: defaults.ts). */
  infobipRequestsPerSecond?: number | undefined
  /** Per client address and form, per minute (FLOWFORM_SUBMISSIONS_PER_MINUTE, FLOWFORM_VIEWS_PER_MINUTE). */
  rateLimits?: RateLimits
  /** TRUST_PROXY: who may say, in X-Forwarded-For, where a request came from (0: nobody). */
  trustProxy?: TrustProxy
  /** FLOWFORM_MAX_CONNECTIONS: open connections the server holds at once; beyond, new ones are dropped. */
  maxConnections?: number
  /** LOG_LEVEL, checked here so a typo stops the start with a clear message. */
  logLevel?: LogLevel
  /**
   * FLOWFORM_FLOW_DEADLINE_MS: how long a `confirmation: "flow"` signup waits for its upstreams
   * before it answers "queued" (default: the request wait plus 5 s, signup/submit.ts).
   */
  flowDeadlineMs?: number | undefined
  /** FLOWFORM_METRICS_TOKEN: the bearer token `GET /metrics` requires; absent, /metrics is open. */
  metricsToken?: string | null | undefined
  /** Bot defense secrets (FLOWFORM_TOKEN_SECRET, TURNSTILE_SECRET, …). */
  bots?: BotEnv
}

export class EnvError extends Error {
  override name = 'EnvError' as const
}

export function readEnv(source: Record<string, string | undefined> = process.env): ProxyEnv {
  // Empty strings count as unset: `FOO= npm start` is a common way to clear a variable.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = Env.safeParse(cleaned)
  const bots = BotEnvVars.safeParse(cleaned)
  if (!result.success || !bots.success) {
    const issues = [...(result.error?.issues ?? []), ...(bots.error?.issues ?? [])]
    const lines = issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`)
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`)
  }
  const env = result.data
  const auth: InfobipAuth | null = env.INFOBIP_API_KEY
    ? { kind: 'app', apiKey: env.INFOBIP_API_KEY }
    : env.INFOBIP_USERNAME && env.INFOBIP_PASSWORD
      ? { kind: env.INFOBIP_AUTH ?? 'basic', username: env.INFOBIP_USERNAME, password: env.INFOBIP_PASSWORD }
      : env.INFOBIP_CLIENT_ID && env.INFOBIP_CLIENT_SECRET
        ? { kind: 'oauth', clientId: env.INFOBIP_CLIENT_ID, clientSecret: env.INFOBIP_CLIENT_SECRET }
        : null
  const proxyEnv: ProxyEnv = {
    port: env.PORT,
    host: env.HOST,
    configPath: env.FLOWFORM_CONFIG,
    dataDir: env.FLOWFORM_DATA_DIR,
    databaseUrl: env.FLOWFORM_DATABASE_URL,
    worker: env.FLOWFORM_WORKER === 'on',
    infobip: env.INFOBIP_BASE_URL && auth ? { baseUrl: env.INFOBIP_BASE_URL, auth } : null,
    rapidpro:
      env.RAPIDPRO_BASE_URL && env.RAPIDPRO_TOKEN
        ? { baseUrl: env.RAPIDPRO_BASE_URL, token: env.RAPIDPRO_TOKEN }
        : null,
    momentsNotify:
      env.FLOWFORM_NOTIFY_URL && env.FLOWFORM_NOTIFY_SECRET
        ? { url: env.FLOWFORM_NOTIFY_URL, secret: env.FLOWFORM_NOTIFY_SECRET }
        : null,
    momentsBatchWindowMs: env.FLOWFORM_MOMENTS_BATCH_MS,
    infobipRequestsPerSecond: env.INFOBIP_REQUESTS_PER_SECOND,
    rateLimits: {
      submissionsPerMinute: env.FLOWFORM_SUBMISSIONS_PER_MINUTE,
      viewsPerMinute: env.FLOWFORM_VIEWS_PER_MINUTE,
    },
    trustProxy: env.TRUST_PROXY,
    maxConnections: env.FLOWFORM_MAX_CONNECTIONS,
    logLevel: env.LOG_LEVEL,
    flowDeadlineMs: env.FLOWFORM_FLOW_DEADLINE_MS,
    metricsToken: env.FLOWFORM_METRICS_TOKEN ?? null,
    bots: botEnv(bots.data),
  }
  // Read once here, so every sink (log, outbox, CLI) can take them out of what an upstream echoes.
  addEnvSecrets(proxyEnv)
  return proxyEnv
}
