import proxyaddr from 'proxy-addr'
import * as z from 'zod'
import { addEnvSecrets } from '../redact'
import { DEFAULTS, LOG_LEVELS, type LogLevel } from './defaults'

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
    LOG_LEVEL: z
      .enum(LOG_LEVELS, {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default(DEFAULTS.logLevel),
  })
  .superRefine((env, ctx) => {
    if (env.INFOBIP_USERNAME !== undefined && env.INFOBIP_PASSWORD === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_PASSWORD'], message: 'is required with INFOBIP_USERNAME' })
    }
    if (env.INFOBIP_PASSWORD !== undefined && env.INFOBIP_USERNAME === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_USERNAME'], message: 'is required with INFOBIP_PASSWORD' })
    }
    if (env.INFOBIP_CLIENT_ID !== undefined && env.INFOBIP_CLIENT_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_CLIENT_SECRET'], message: 'is required with INFOBIP_CLIENT_ID' })
    }
    if (env.INFOBIP_CLIENT_SECRET !== undefined && env.INFOBIP_CLIENT_ID === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_CLIENT_ID'], message: 'is required with INFOBIP_CLIENT_SECRET' })
    }
    if (env.INFOBIP_AUTH !== undefined && env.INFOBIP_USERNAME === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['INFOBIP_AUTH'],
        message: 'chooses how INFOBIP_USERNAME and INFOBIP_PASSWORD are used; set them too, or unset INFOBIP_AUTH',
      })
    }
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
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `set one kind of Infobip credentials, not several (found ${kinds.join(' and ')})`,
      })
    }
    const hasCredentials = kinds.length > 0
    if (env.INFOBIP_BASE_URL !== undefined && !hasCredentials) {
      ctx.addIssue({
        code: 'custom',
        path: ['INFOBIP_BASE_URL'],
        message:
          'is set but no credentials are: set INFOBIP_API_KEY, or INFOBIP_USERNAME and INFOBIP_PASSWORD, or INFOBIP_CLIENT_ID and INFOBIP_CLIENT_SECRET',
      })
    }
    if (hasCredentials && env.INFOBIP_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['INFOBIP_BASE_URL'],
        message: 'is required when Infobip credentials are set',
      })
    }
    if ((env.FLOWFORM_NOTIFY_URL === undefined) !== (env.FLOWFORM_NOTIFY_SECRET === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['FLOWFORM_NOTIFY_SECRET'],
        message: 'FLOWFORM_NOTIFY_URL and FLOWFORM_NOTIFY_SECRET go together',
      })
    }
    // Infobip refuses a notifyUrl over 1000 characters, and the secret travels inside it.
    if (env.FLOWFORM_NOTIFY_URL && env.FLOWFORM_NOTIFY_SECRET) {
      const url = new URL(env.FLOWFORM_NOTIFY_URL)
      url.searchParams.set('secret', env.FLOWFORM_NOTIFY_SECRET)
      if (url.toString().length > MAX_NOTIFY_URL_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: ['FLOWFORM_NOTIFY_URL'],
          message: 'with its secret must stay within 1000 characters',
        })
      }
    }
    if ((env.RAPIDPRO_BASE_URL === undefined) !== (env.RAPIDPRO_TOKEN === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['RAPIDPRO_TOKEN'],
        message: 'RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN go together',
      })
    }
  })

/**
 * TRUST_PROXY (contract section 2): `0` nobody (the socket's peer is the client), a number of
 * trusted hops, or the addresses, CIDRs and proxy-addr names (`loopback`, `linklocal`,
 * `uniquelocal`) of the proxies in front. Hops need no parsing here; the list is checked by
 * proxy-addr itself, so what starts is exactly what the middleware will use.
 */
export type TrustProxy = number | readonly string[]

const MAX_TRUSTED_HOPS = 100

/** The parsed value, or a message saying what is wrong (names the bad entry, never guesses). */
export function parseTrustProxy(raw: string): TrustProxy | string {
  const value = raw.trim()
  // `true`/`false` were accepted before hop counts; `true` meant one proxy in front.
  if (value === 'false') {
    return 0
  }
  if (value === 'true') {
    return 1
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return hops <= MAX_TRUSTED_HOPS ? hops : `must be at most ${MAX_TRUSTED_HOPS} hops (got ${value})`
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (entries.length === 0) {
    return 'must be 0, a number of trusted hops, or a comma list of addresses or CIDRs'
  }
  for (const entry of entries) {
    try {
      proxyaddr.compile(entry)
    } catch {
      return `"${entry.slice(0, 60)}" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal (TRUST_PROXY is 0, a number of trusted hops, or a comma list of those)`
    }
  }
  return entries
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
}

export class EnvError extends Error {
  override name = 'EnvError' as const
}

export function readEnv(source: Record<string, string | undefined> = process.env): ProxyEnv {
  // Empty strings count as unset: `FOO= npm start` is a common way to clear a variable.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = Env.safeParse(cleaned)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`)
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
  }
  // Read once here, so every sink (log, outbox, CLI) can take them out of what an upstream echoes.
  addEnvSecrets(proxyEnv)
  return proxyEnv
}
