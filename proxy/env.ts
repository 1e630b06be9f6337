import * as z from 'zod'

/** The proxy's environment (contract section 2), read once at start. Secrets live only here. */

const Url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

const Env = z
  .object({
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    FLOWFORM_CONFIG: z.string().min(1).optional(),
    FLOWFORM_DATA_DIR: z.string().min(1).default('./.flowform'),
    INFOBIP_BASE_URL: Url.optional(),
    INFOBIP_USERNAME: z.string().min(1).optional(),
    INFOBIP_PASSWORD: z.string().min(1).optional(),
    INFOBIP_API_KEY: z.string().min(1).optional(),
    RAPIDPRO_BASE_URL: Url.optional(),
    RAPIDPRO_TOKEN: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.INFOBIP_USERNAME !== undefined && env.INFOBIP_PASSWORD === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_PASSWORD'], message: 'is required with INFOBIP_USERNAME' })
    }
    if (env.INFOBIP_PASSWORD !== undefined && env.INFOBIP_USERNAME === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_USERNAME'], message: 'is required with INFOBIP_PASSWORD' })
    }
    const hasCredentials = env.INFOBIP_API_KEY !== undefined || env.INFOBIP_USERNAME !== undefined
    if (env.INFOBIP_BASE_URL !== undefined && !hasCredentials) {
      ctx.addIssue({
        code: 'custom',
        path: ['INFOBIP_BASE_URL'],
        message: 'is set but no credentials are: set INFOBIP_API_KEY, or INFOBIP_USERNAME and INFOBIP_PASSWORD',
      })
    }
    if (hasCredentials && env.INFOBIP_BASE_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['INFOBIP_BASE_URL'], message: 'is required when Infobip credentials are set' })
    }
    if ((env.RAPIDPRO_BASE_URL === undefined) !== (env.RAPIDPRO_TOKEN === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['RAPIDPRO_TOKEN'], message: 'RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN go together' })
    }
  })

export type InfobipAuth = { kind: 'basic'; username: string; password: string } | { kind: 'app'; apiKey: string }

export interface ProxyEnv {
  port: number
  host: string
  configPath: string | undefined
  dataDir: string
  /** null: sandbox mode, with the in-process fake. */
  infobip: { baseUrl: string; auth: InfobipAuth } | null
  rapidpro: { baseUrl: string; token: string } | null
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
      ? { kind: 'basic', username: env.INFOBIP_USERNAME, password: env.INFOBIP_PASSWORD }
      : null
  return {
    port: env.PORT,
    host: env.HOST,
    configPath: env.FLOWFORM_CONFIG,
    dataDir: env.FLOWFORM_DATA_DIR,
    infobip: env.INFOBIP_BASE_URL && auth ? { baseUrl: env.INFOBIP_BASE_URL, auth } : null,
    rapidpro:
      env.RAPIDPRO_BASE_URL && env.RAPIDPRO_TOKEN ? { baseUrl: env.RAPIDPRO_BASE_URL, token: env.RAPIDPRO_TOKEN } : null,
  }
}
