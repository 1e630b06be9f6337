import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryAfterSeconds } from '../../proxy/upstreams/retry-after'

/** A fixed "now", so a date header always means the same wait. */
const NOW = Date.parse('2026-10-21T07:28:00Z')

describe('parseRetryAfter (RFC 9110 10.2.3)', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120)
    expect(parseRetryAfter(' 3 ', NOW)).toBe(3)
    expect(parseRetryAfter('0', NOW)).toBe(0)
    // Not RFC, but what a lenient server sends; read as meant.
    expect(parseRetryAfter('0.5', NOW)).toBe(0.5)
  })

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:29:00 GMT', NOW)).toBe(60)
    expect(parseRetryAfter(new Date(NOW + 1_500).toUTCString(), NOW)).toBe(1)
    // The obsolete forms RFC 9110 still asks recipients to accept.
    expect(parseRetryAfter('Wednesday, 21-Oct-26 07:28:30 GMT', NOW)).toBe(30)
  })

  it('is never negative: a date in the past means now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', NOW)).toBe(0)
    expect(parseRetryAfter('-5', NOW)).toBeUndefined()
  })

  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
    expect(parseRetryAfter('', NOW)).toBeUndefined()
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter('1e3', NOW)).toBeUndefined()
    expect(parseRetryAfter('12abc', NOW)).toBeUndefined()
  })
})

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, as the upstream errors carry it', () => {
    expect(retryAfterSeconds('30', NOW)).toBe(30)
    expect(retryAfterSeconds('0.2', NOW)).toBe(1)
    expect(retryAfterSeconds(new Date(NOW + 1_500).toUTCString(), NOW)).toBe(1)
    expect(retryAfterSeconds('Wed, 21 Oct 2026 07:28:01 GMT', NOW - 500)).toBe(2)
    expect(retryAfterSeconds(null, NOW)).toBeUndefined()
  })
})
