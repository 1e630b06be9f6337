import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The timing token: `<issued-at seconds>.<HMAC-SHA256(form id, issued-at)>`, issued with the
 * definition and sent back with the submission. Stateless, so any instance holding the same key
 * checks it and nothing is stored per visitor; it proves the submitter loaded this form's
 * definition, and when.
 */

export type TokenVerdict = 'ok' | 'missing' | 'invalid' | 'too_fast' | 'expired'

export interface TokenRules {
  minSeconds: number
  maxAgeSeconds: number
}

/** Clocks of several instances may disagree a little; a token from slightly "later" still counts. */
const SKEW_SECONDS = 60

// The sign: a clock near the epoch (fake timers from 0) issues times before it; the MAC covers it.
const SHAPE = /^(-?\d{1,12})\.([A-Za-z0-9_-]{43})$/

function mac(key: Buffer, formId: string, issuedAt: number): string {
  return createHmac('sha256', key).update(`flowform-token\0${formId}\0${issuedAt}`).digest('base64url')
}

export function issueToken(key: Buffer, formId: string, nowMs: number): string {
  const issuedAt = Math.floor(nowMs / 1_000)
  return `${issuedAt}.${mac(key, formId, issuedAt)}`
}

export function checkToken(
  key: Buffer,
  formId: string,
  token: string | undefined,
  nowMs: number,
  rules: TokenRules,
): TokenVerdict {
  if (token === undefined || token === '') {
    return 'missing'
  }
  const match = SHAPE.exec(token)
  if (!match) {
    return 'invalid'
  }
  const issuedAt = Number(match[1])
  const expected = Buffer.from(mac(key, formId, issuedAt))
  const given = Buffer.from(match[2] as string)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'invalid'
  }
  const age = nowMs / 1_000 - issuedAt
  if (age < -SKEW_SECONDS || age > rules.maxAgeSeconds) {
    return 'expired'
  }
  // The issued-at is floored to the second, so the age can read up to a second long: compare
  // against the whole seconds the person had at least.
  if (age < rules.minSeconds) {
    return 'too_fast'
  }
  return 'ok'
}
