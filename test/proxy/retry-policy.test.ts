import { describe, expect, it } from 'vitest'
import { backoffMs, hintFor, MAX_ATTEMPTS, REPORT_POLL_MS } from '../../proxy/delivery/retry-policy'

describe('the retry policy', () => {
  it('backs off exponentially with jitter, from 2 s up to 10 min', () => {
    expect(backoffMs(0, undefined, () => 0)).toBe(1_000)
    expect(backoffMs(0, undefined, () => 1)).toBe(2_000)
    expect(backoffMs(3, undefined, () => 1)).toBe(16_000)
    expect(backoffMs(30, undefined, () => 1)).toBe(600_000)
    expect(backoffMs(30, undefined, () => 0)).toBe(300_000)
  })

  it("lets the upstream's Retry-After win when it is longer", () => {
    expect(backoffMs(0, 120, () => 1)).toBe(120_000)
    expect(backoffMs(10, 1, () => 1)).toBe(600_000)
  })

  it('keeps its bounds where settle.ts reads them', () => {
    expect(MAX_ATTEMPTS).toBe(25)
    expect(REPORT_POLL_MS).toBe(5_000)
  })

  it('hints at the obvious fix for the operator', () => {
    expect(hintFor('rapidpro', 401)).toBe('check RAPIDPRO_TOKEN')
    expect(hintFor('infobip-flow', 403)).toContain('scope')
    expect(hintFor('infobip-flow', 400, '40005')).toBe('activate the flow in Infobip')
    expect(hintFor('infobip-moments', undefined, 'REJECTED_NOT_ENOUGH_CREDITS')).toBe('top up the Infobip account')
    expect(hintFor('infobip-forms', 500)).toBeUndefined()
  })
})
