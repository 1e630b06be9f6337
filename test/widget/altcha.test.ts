// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { altchaKey, issueAltcha, verifyAltcha } from '../../proxy/signup/bots/altcha'
import { solveAltcha } from '../../widget/challenge/altcha'

/**
 * The widget's proof-of-work solver against the proxy's own issuer and verifier (altcha-lib), with
 * WebCrypto as the browser has it: what one solves, the other accepts.
 */
describe('solveAltcha', () => {
  const key = altchaKey(Buffer.from('k'.repeat(32)))

  it('finds the solution the proxy accepts, for the form it was issued for only', async () => {
    const challenge = await issueAltcha(key, 'welcome', { cost: 20, nowMs: Date.now() })
    const payload = await solveAltcha(challenge)
    const sent = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
      solution: { counter: number; derivedKey: string }
    }
    expect(sent.solution.derivedKey).toMatch(/^00[0-9a-f]{62}$/)
    await expect(verifyAltcha(key, 'welcome', payload)).resolves.toBe(challenge.signature)
    await expect(verifyAltcha(key, 'other', payload)).rejects.toThrow()
  })

  it('refuses a challenge of another algorithm instead of searching forever', async () => {
    const challenge = await issueAltcha(key, 'welcome', { cost: 1, nowMs: Date.now() })
    await expect(
      solveAltcha({ ...challenge, parameters: { ...challenge.parameters, algorithm: 'SHA-256' } }),
    ).rejects.toThrow(/unsupported/)
  })

  it('stops when aborted (the form was unmounted)', async () => {
    const challenge = await issueAltcha(key, 'welcome', { cost: 1, nowMs: Date.now() })
    const stop = new AbortController()
    stop.abort()
    await expect(solveAltcha(challenge, stop.signal)).rejects.toThrow()
  })
})
