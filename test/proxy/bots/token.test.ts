import { describe, expect, it } from 'vitest'
import { checkToken, issueToken } from '../../../proxy/signup/bots/token'

const KEY = Buffer.from('k'.repeat(32))
const RULES = { minSeconds: 2, maxAgeSeconds: 24 * 3_600 }
const T0 = 1_750_000_000_000

describe('timing token', () => {
  it('should accept a token of its form once a human could have filled the form', () => {
    const token = issueToken(KEY, 'welcome', T0)
    expect(checkToken(KEY, 'welcome', token, T0 + 2_000, RULES)).toBe('ok')
  })

  it('should call a submission sooner than minSeconds too fast', () => {
    const token = issueToken(KEY, 'welcome', T0)
    expect(checkToken(KEY, 'welcome', token, T0 + 1_000, RULES)).toBe('too_fast')
  })

  it('should refuse an expired token, a token from the far future, another form, another key', () => {
    const token = issueToken(KEY, 'welcome', T0)
    expect(checkToken(KEY, 'welcome', token, T0 + 24 * 3_600_000 + 1_000, RULES)).toBe('expired')
    expect(checkToken(KEY, 'welcome', issueToken(KEY, 'welcome', T0 + 3_600_000), T0, RULES)).toBe('expired')
    expect(checkToken(KEY, 'other', token, T0 + 5_000, RULES)).toBe('invalid')
    expect(checkToken(Buffer.from('x'.repeat(32)), 'welcome', token, T0 + 5_000, RULES)).toBe('invalid')
  })

  it('should tell a missing token from a malformed or altered one', () => {
    const token = issueToken(KEY, 'welcome', T0)
    expect(checkToken(KEY, 'welcome', undefined, T0, RULES)).toBe('missing')
    expect(checkToken(KEY, 'welcome', '', T0, RULES)).toBe('missing')
    expect(checkToken(KEY, 'welcome', 'nonsense', T0, RULES)).toBe('invalid')
    const [issued, mac] = token.split('.')
    // An earlier issued-at with the same MAC: the person would seem to have taken longer.
    expect(checkToken(KEY, 'welcome', `${Number(issued) - 60}.${mac}`, T0 + 2_000, RULES)).toBe('invalid')
  })
})
