/**
 * The one reader of an upstream's `Retry-After` header (RFC 9110 section 10.2.3). Infobip and
 * RapidPro both send delta-seconds today, but an HTTP-date is just as valid, and a proxy in front
 * of either may send one; reading it here once keeps every caller in step.
 */

/**
 * Seconds to wait: delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`) counted
 * from `now`. Undefined when the header is absent or unreadable; never negative (a date in the past
 * means "now", 0).
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? ''
  if (text === '') {
    return undefined
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text)
  }
  // Only the date forms: Date.parse also reads "-5" or "1e3" as dates, which no Retry-After is.
  if (!/[a-z]/i.test(text)) {
    return undefined
  }
  const date = Date.parse(text)
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : undefined
}

/** The same, in whole seconds rounded up, as the upstream errors carry it (`retryAfterSeconds`). */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  const seconds = parseRetryAfter(value, now)
  return seconds === undefined ? undefined : Math.ceil(seconds)
}
