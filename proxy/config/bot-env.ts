import * as z from 'zod'

// Bot defense (proxy/signup/bots): the token key and the challenge providers' secrets, from the environment only.

// An http(s) URL, as env.ts checks its other URLs.
const Url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

export const BotEnvVars = z.object({
  FLOWFORM_TOKEN_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  TURNSTILE_SECRET: z.string().min(1).optional(),
  HCAPTCHA_SECRET: z.string().min(1).optional(),
  RECAPTCHA_SECRET: z.string().min(1).optional(),
  /** The providers' siteverify endpoints, for a proxy in front of them or a test's loopback fake. */
  TURNSTILE_VERIFY_URL: Url.optional(),
  HCAPTCHA_VERIFY_URL: Url.optional(),
  RECAPTCHA_VERIFY_URL: Url.optional(),
  /** The providers' browser scripts, for a self-hosted mirror or a test's loopback fake. */
  TURNSTILE_SCRIPT_URL: Url.optional(),
  HCAPTCHA_SCRIPT_URL: Url.optional(),
  RECAPTCHA_SCRIPT_URL: Url.optional(),
})

/** A hosted challenge provider's secret, and its verify and script URLs when not the provider's own. */
export interface ChallengeSecret {
  secret: string
  verifyUrl?: string | undefined
  scriptUrl?: string | undefined
}

export interface BotEnv {
  /** FLOWFORM_TOKEN_SECRET; absent: a key generated once into the data directory. */
  tokenSecret?: string | undefined
  turnstile?: ChallengeSecret | undefined
  hcaptcha?: ChallengeSecret | undefined
  recaptcha?: ChallengeSecret | undefined
}

export function botEnv(env: z.infer<typeof BotEnvVars>): BotEnv {
  const provider = (secret: string | undefined, verifyUrl: string | undefined, scriptUrl: string | undefined) =>
    secret === undefined ? undefined : { secret, verifyUrl, scriptUrl }
  return {
    tokenSecret: env.FLOWFORM_TOKEN_SECRET,
    turnstile: provider(env.TURNSTILE_SECRET, env.TURNSTILE_VERIFY_URL, env.TURNSTILE_SCRIPT_URL),
    hcaptcha: provider(env.HCAPTCHA_SECRET, env.HCAPTCHA_VERIFY_URL, env.HCAPTCHA_SCRIPT_URL),
    recaptcha: provider(env.RECAPTCHA_SECRET, env.RECAPTCHA_VERIFY_URL, env.RECAPTCHA_SCRIPT_URL),
  }
}
