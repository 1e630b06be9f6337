import { isIP } from 'node:net'
import * as z from 'zod'
import type { ChallengeConfig } from '../../config/bot-defense'
import { ChallengeError, ChallengeUnavailableError } from './challenge-errors'

/** The three hosted providers share one protocol: POST secret + response (+ remoteip), JSON back. */
export type HostedProvider = 'turnstile' | 'hcaptcha' | 'recaptcha'

export const VERIFY_URLS: Record<HostedProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
}

/**
 * The providers' browser scripts, announced in the definition (`challenge.script`) so the widget
 * carries no provider URL and a test or a mirror can put another in (`<PROVIDER>_SCRIPT_URL`).
 * Explicit rendering: the widget decides where the check goes (reCAPTCHA v3 renders nothing).
 */
export const SCRIPT_URLS: Record<HostedProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
  hcaptcha: 'https://js.hcaptcha.com/1/api.js',
  recaptcha: 'https://www.google.com/recaptcha/api.js',
}

export interface HostedVerifier {
  /** From TURNSTILE_SECRET, HCAPTCHA_SECRET or RECAPTCHA_SECRET; never logged or answered. */
  secret: string
  verifyUrl: string
  /** The provider's script the widget loads (public); default SCRIPT_URLS. */
  scriptUrl?: string | undefined
}

/** The script URL with the query each provider's explicit rendering needs (reCAPTCHA v3: its site key). */
export function providerScript(
  challenge: Extract<ChallengeConfig, { provider: HostedProvider }>,
  scriptUrl: string,
): string {
  const url = new URL(scriptUrl)
  url.searchParams.set('render', challenge.provider === 'recaptcha' ? challenge.siteKey : 'explicit')
  return url.href
}

const Answer = z.looseObject({
  success: z.boolean(),
  score: z.number().optional(),
  action: z.string().optional(),
  'error-codes': z.array(z.string()).optional(),
})

/** reCAPTCHA v3's default: Google's own suggestion for a first threshold. */
export const DEFAULT_MIN_SCORE = 0.5

const TIMEOUT_MS = 5_000

/**
 * Asks the provider whether `response` (the token its script gave the widget) is a solved
 * challenge. Throws ChallengeError when it says no (or, for reCAPTCHA, the score or the action
 * do not fit), ChallengeUnavailableError when it cannot be asked.
 */
export async function verifyHosted(
  challenge: Extract<ChallengeConfig, { provider: HostedProvider }>,
  verifier: HostedVerifier,
  response: string,
  options: { remoteIp?: string | undefined; fetch?: typeof fetch } = {},
): Promise<void> {
  const form = new URLSearchParams({ secret: verifier.secret, response })
  // In-process requests have no address (`unknown`): only a real one is passed on.
  if (options.remoteIp && isIP(options.remoteIp) !== 0) {
    form.set('remoteip', options.remoteIp)
  }
  let answer: z.infer<typeof Answer>
  try {
    const res = await (options.fetch ?? fetch)(verifier.verifyUrl, {
      method: 'POST',
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!res.ok) {
      throw new Error(`HTTP ${res.status}`)
    }
    answer = Answer.parse(await res.json())
  } catch (error) {
    // The message names the provider and what happened; the request (with the secret) is not in it.
    throw new ChallengeUnavailableError(
      `${challenge.provider} siteverify: ${(error as Error).name}: ${(error as Error).message}`,
    )
  }
  if (!answer.success) {
    throw new ChallengeError('challenge_failed')
  }
  if (challenge.provider === 'recaptcha') {
    const min = challenge.minScore ?? DEFAULT_MIN_SCORE
    if (answer.score === undefined || answer.score < min) {
      throw new ChallengeError('challenge_failed')
    }
    if (challenge.action !== undefined && answer.action !== challenge.action) {
      throw new ChallengeError('challenge_failed')
    }
  }
}
