import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { altchaKey, issueAltcha, verifyAltcha } from '../../../proxy/signup/bots/altcha'
import { ChallengeError, ChallengeUnavailableError } from '../../../proxy/signup/bots/challenge-errors'
import { providerScript, SCRIPT_URLS, verifyHosted } from '../../../proxy/signup/bots/siteverify'
import { fakeVerifier } from '../../helpers/fake-verifier'
import type { RecordingServer } from '../../helpers/recording-server'

let verifier: RecordingServer
beforeAll(async () => {
  verifier = await fakeVerifier()
})
afterAll(async () => {
  await verifier?.close()
})

const code = (error: unknown) => (error instanceof ChallengeError ? error.code : error)

describe('hosted challenges against a loopback verifier', () => {
  const secret = { secret: 'provider-secret', verifyUrl: '' }
  beforeAll(() => {
    secret.verifyUrl = `${verifier.url}/siteverify`
  })

  for (const provider of ['turnstile', 'hcaptcha'] as const) {
    it(`should pass a solved ${provider} and refuse an unsolved one`, async () => {
      await expect(
        verifyHosted({ provider, siteKey: 'k' }, secret, 'good', { remoteIp: '203.0.113.9' }),
      ).resolves.toBeUndefined()
      const sent = new URLSearchParams(verifier.requests.at(-1)?.body)
      expect(Object.fromEntries(sent)).toEqual({ secret: 'provider-secret', response: 'good', remoteip: '203.0.113.9' })
      expect(await verifyHosted({ provider, siteKey: 'k' }, secret, 'forged').catch(code)).toBe('challenge_failed')
    })
  }

  it('should refuse a reCAPTCHA v3 score under the threshold or another action', async () => {
    await expect(verifyHosted({ provider: 'recaptcha', siteKey: 'k' }, secret, 'good')).resolves.toBeUndefined()
    expect(await verifyHosted({ provider: 'recaptcha', siteKey: 'k' }, secret, 'low').catch(code)).toBe(
      'challenge_failed',
    )
    await expect(
      verifyHosted({ provider: 'recaptcha', siteKey: 'k', minScore: 0.1 }, secret, 'low'),
    ).resolves.toBeUndefined()
    const other = { provider: 'recaptcha' as const, siteKey: 'k', action: 'login' }
    expect(await verifyHosted(other, secret, 'good').catch(code)).toBe('challenge_failed')
  })

  it('should say the provider is unavailable, without its secret, when it answers no JSON', async () => {
    const error = await verifyHosted({ provider: 'turnstile', siteKey: 'k' }, secret, 'broken').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChallengeUnavailableError)
    expect(JSON.stringify([String(error), (error as ChallengeUnavailableError).detail])).not.toContain(
      'provider-secret',
    )
  })
})

describe('the provider script the definition announces', () => {
  it('should ask for explicit rendering, and reCAPTCHA v3 for its site key', () => {
    expect(providerScript({ provider: 'turnstile', siteKey: 'k' }, SCRIPT_URLS.turnstile)).toBe(
      'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
    )
    expect(providerScript({ provider: 'hcaptcha', siteKey: 'k' }, 'http://127.0.0.1:9/h.js?x=1')).toBe(
      'http://127.0.0.1:9/h.js?x=1&render=explicit',
    )
    expect(providerScript({ provider: 'recaptcha', siteKey: 'site_1' }, SCRIPT_URLS.recaptcha)).toBe(
      'https://www.google.com/recaptcha/api.js?render=site_1',
    )
  })
})

describe('ALTCHA proof of work', () => {
  const key = altchaKey(Buffer.from('k'.repeat(32)))

  async function solved(formId: string): Promise<string> {
    const challenge = await issueAltcha(key, formId, { cost: 10, nowMs: Date.now() })
    const solution = await solveChallenge({ challenge, deriveKey })
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
  }

  it('should accept a solved challenge of its form and return its signature', async () => {
    await expect(verifyAltcha(key, 'welcome', await solved('welcome'))).resolves.toMatch(/^[0-9a-f]+$/)
  })

  it('should refuse another form, another key, a wrong solution and garbage', async () => {
    const payload = await solved('welcome')
    expect(await verifyAltcha(key, 'other', payload).catch(code)).toBe('challenge_failed')
    expect(await verifyAltcha(altchaKey(Buffer.from('x'.repeat(32))), 'welcome', payload).catch(code)).toBe(
      'challenge_failed',
    )
    const parsed = JSON.parse(Buffer.from(payload, 'base64').toString()) as { solution: { counter: number } }
    parsed.solution.counter += 1
    const wrong = Buffer.from(JSON.stringify(parsed)).toString('base64')
    expect(await verifyAltcha(key, 'welcome', wrong).catch(code)).toBe('challenge_failed')
    expect(await verifyAltcha(key, 'welcome', '!!!').catch(code)).toBe('challenge_failed')
    expect(await verifyAltcha(key, 'welcome', Buffer.from('null').toString('base64')).catch(code)).toBe(
      'challenge_failed',
    )
  })
})
