import { createHmac } from 'node:crypto'
import { type Challenge, createChallenge, type Payload, verifySolution } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { ChallengeError } from './challenge-errors'

/**
 * The self-hosted proof of work (ALTCHA): the proxy issues a signed challenge, the browser spends
 * a moment of CPU finding the solution, the proxy checks it. No third party, no cookie.
 */

/**
 * PBKDF2-HMAC-SHA-256 iterations per try; about 256 tries find a solution. The browser derives each
 * try with one native `crypto.subtle.deriveBits` call (about 0.7 ms per 1,000 iterations in desktop
 * Chromium, a few times that on a phone); iterated `crypto.subtle.digest` calls would cost one
 * promise round trip per SHA-256 and take tens of seconds for the same work.
 */
export const DEFAULT_ALTCHA_COST = 1_000

/** The key derivation the widget's solver (widget/challenge/altcha.ts) implements. */
export const ALTCHA_ALGORITHM = 'PBKDF2/SHA-256'

/** How long an issued challenge may be solved and sent. */
const CHALLENGE_TTL_SECONDS = 20 * 60

/** The challenge HMAC key, derived from the token key so one secret serves both. */
export function altchaKey(secret: Buffer): string {
  return createHmac('sha256', secret).update('flowform-altcha').digest('hex')
}

export async function issueAltcha(
  key: string,
  formId: string,
  options: { cost?: number | undefined; nowMs: number },
): Promise<Challenge> {
  return createChallenge({
    algorithm: ALTCHA_ALGORITHM,
    cost: options.cost ?? DEFAULT_ALTCHA_COST,
    deriveKey,
    hmacSignatureSecret: key,
    expiresAt: Math.floor(options.nowMs / 1_000) + CHALLENGE_TTL_SECONDS,
    // Bound to the form: a solution for one form does not open another.
    data: { form: formId },
  })
}

/**
 * `payload`: base64 of `{"challenge": …, "solution": …}` as the ALTCHA widget sends it. Returns the
 * challenge's signature (to spend it once); throws ChallengeError.
 */
export async function verifyAltcha(key: string, formId: string, payload: string): Promise<string> {
  let parsed: Payload
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Payload
  } catch {
    throw new ChallengeError('challenge_failed')
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.challenge?.parameters?.data?.form !== formId) {
    throw new ChallengeError('challenge_failed')
  }
  let verified = false
  try {
    const result = await verifySolution({
      challenge: parsed.challenge,
      solution: parsed.solution,
      deriveKey,
      hmacSignatureSecret: key,
    })
    verified = result.verified
  } catch {
    // A payload shaped to make the library throw is just a failed check.
    verified = false
  }
  if (!verified || typeof parsed.challenge.signature !== 'string') {
    throw new ChallengeError('challenge_failed')
  }
  return parsed.challenge.signature
}
