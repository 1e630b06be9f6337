/**
 * The retry policy of every delivery, in one place: how often an upstream is tried, how long to
 * wait between tries, how often an operation whose report is outstanding is looked at again, and
 * what to tell the operator once retrying will not help. settle.ts applies it.
 */

/** Attempts (upstream refusals, not our own rate limiter's hold-backs) before a delivery fails for the operator. */
export const MAX_ATTEMPTS = 25

/** How soon an awaiting delivery (a Moments operation not final yet) is looked at again. */
export const REPORT_POLL_MS = 5_000

/** Exponential backoff with jitter, from 2 s up to 10 min; an upstream's Retry-After wins when longer. */
export function backoffMs(attempts: number, retryAfterSeconds?: number, random = Math.random): number {
  const base = Math.min(600_000, 2_000 * 2 ** Math.min(attempts, 12))
  const jittered = base / 2 + random() * (base / 2)
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000)
}

/** What the operator most likely has to do, for the failures that have one obvious cause. */
export function hintFor(upstream: string, status?: number, code?: string): string | undefined {
  const rapidpro = upstream.startsWith('rapidpro')
  // RapidPro answers an unknown token 403 "Invalid token" (upstreams/rapidpro/errors.ts).
  if (status === 401 || code === 'INVALID_TOKEN') {
    return rapidpro
      ? 'check RAPIDPRO_TOKEN'
      : 'check the Infobip credentials (INFOBIP_API_KEY, or INFOBIP_USERNAME and INFOBIP_PASSWORD, …)'
  }
  if (status === 403) {
    return rapidpro
      ? 'the RapidPro token lacks a permission'
      : 'the Infobip key lacks a scope for this API (e.g. flow:manage, forms:use)'
  }
  switch (code) {
    case '40005':
      return 'activate the flow in Infobip'
    case '40401':
      return "check the form's flow.campaignId: Infobip has no active flow with that id"
    case 'REJECTED_ATTRIBUTE_MISSED':
      return 'create the custom attributes this form sends in Infobip People first'
    case 'REJECTED_NOT_ENOUGH_CREDITS':
      return 'top up the Infobip account'
    default:
      return undefined
  }
}
