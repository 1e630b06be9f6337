import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { fakeVerifier } from '../../helpers/fake-verifier'
import type { RecordingServer } from '../../helpers/recording-server'
import { createTestProxy, SHOP, type TestProxy, testToken } from '../../helpers/test-proxy'

let proxy: TestProxy | undefined
let verifier: RecordingServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  proxy = undefined
})
afterAll(async () => {
  await verifier?.close()
})

const PERSON = { email: 'ana@example.com', firstName: 'Ana', consent: true }

function form(id: string, botDefense?: unknown, fields?: unknown[]) {
  return {
    id,
    allowedOrigins: [SHOP],
    fields: fields ?? [
      { name: 'email', type: 'email', required: true },
      { name: 'phone', type: 'tel' },
    ],
    flow: { api: 'moments', campaignId: '200000000000001' },
    ...(botDefense === undefined ? {} : { botDefense }),
  }
}

async function definition(p: TestProxy, id: string): Promise<Record<string, unknown>> {
  return (await (await p.request(`/v1/forms/${id}`)).json()) as Record<string, unknown>
}

const upstreamCalls = (p: TestProxy) => p.fake?.requestCount ?? 0

describe('the default checks against a script (demo config)', () => {
  it('should name the honeypot and carry a token in the definition', async () => {
    proxy = await createTestProxy()
    const def = await definition(proxy, 'welcome')
    expect(def.honeypot).toBe('website')
    expect(def.token).toMatch(/^\d+\.[\w-]{43}$/)
    expect(def.challenge).toBeUndefined()
  })

  const drops: [string, (id: string) => Record<string, unknown>][] = [
    ['without a token', () => ({ token: undefined })],
    ['with a forged token', () => ({ token: '1700000000.' + 'A'.repeat(43) })],
    ['with the honeypot filled', (id) => ({ token: testToken(id), honeypot: 'https://spam.example' })],
  ]
  for (const [name, extra] of drops) {
    it(`should answer a submission ${name} like a success and deliver it nowhere`, async () => {
      proxy = await createTestProxy()
      const res = await proxy.submit('welcome', PERSON, extra('welcome'))
      // What a real signup of the form hears: the demo's welcome form waits for the flow.
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'enrolled' })
      expect(proxy.outbox.list()).toEqual([])
      expect(upstreamCalls(proxy)).toBe(0)
      expect(proxy.logLines().filter((l) => String(l.msg).startsWith('bot defense dropped'))).toHaveLength(1)
    })
  }

  it('should drop a submission sent sooner than a person could, and deliver one sent later', async () => {
    vi.useFakeTimers({ now: 1_750_000_000_000, toFake: ['Date'] })
    proxy = await createTestProxy()
    const { token } = (await definition(proxy, 'welcome')) as { token: string }
    vi.advanceTimersByTime(1_000)
    expect((await proxy.submit('welcome', PERSON, { token })).status).toBe(200)
    expect(proxy.outbox.list()).toEqual([])
    vi.advanceTimersByTime(2_000)
    const res = await proxy.submit('welcome', PERSON, { token })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'enrolled' })
    expect(proxy.outbox.list().length).toBeGreaterThan(0)
    expect(proxy.fake?.flowParticipants('200000000000001')).toHaveLength(1)
  })

  it('should still answer invalid values with 422 before any bot check', async () => {
    proxy = await createTestProxy()
    expect((await proxy.submit('welcome', { email: 'nope' }, { token: undefined })).status).toBe(422)
  })
})

describe('botDefense: false and the opt-in checks', () => {
  it('should take a direct integration with botDefense false without token, and say nothing of bots', async () => {
    proxy = await createTestProxy({ config: { forms: [form('direct', false)] } })
    const def = await definition(proxy, 'direct')
    expect([def.honeypot, def.token, def.challenge]).toEqual([undefined, undefined, undefined])
    const res = await proxy.submit('direct', { email: 'bo@example.com' }, { token: undefined, honeypot: 'x' })
    expect(res.status).toBe(200)
    expect(proxy.fake?.flowParticipants('200000000000001')).toHaveLength(1)
  })

  it('should refuse signups beyond maxPerMinute with 429 and a line to alert on', async () => {
    proxy = await createTestProxy({ config: { forms: [form('busy', { maxPerMinute: 2 })] } })
    const statuses: number[] = []
    for (const n of [1, 2, 3]) {
      statuses.push((await proxy.submit('busy', { email: `p${n}@example.com` })).status)
    }
    expect(statuses).toEqual([200, 200, 429])
    expect(proxy.logLines().filter((l) => l.alert === 'form_signup_ceiling')).toHaveLength(1)
  })

  it('should refuse a phone outside the allowed countries with a 422 field error', async () => {
    proxy = await createTestProxy({ config: { forms: [form('sms', { phoneCountries: ['DE', 'AT', 'CH'] })] } })
    const res = await proxy.submit('sms', { email: 'c@example.com', phone: '+44 7700 900123' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields.phone).toHaveLength(1)
    expect(upstreamCalls(proxy)).toBe(0)
    expect((await proxy.submit('sms', { email: 'c@example.com', phone: '+49 170 1234567' })).status).toBe(200)
  })

  it('should check a Turnstile answer with the provider (a loopback fake) before delivering', async () => {
    verifier ??= await fakeVerifier()
    proxy = await createTestProxy({
      config: { forms: [form('captcha', { challenge: { provider: 'turnstile', siteKey: 'site-1' } })] },
      env: {
        bots: {
          tokenSecret: 'test-token-secret-0123456789abcdef',
          turnstile: {
            secret: 'provider-secret',
            verifyUrl: `${verifier.url}/siteverify`,
            scriptUrl: 'http://127.0.0.1:9/turnstile.js',
          },
        },
      },
    })
    // The script the widget loads: the environment's stand-in, with explicit rendering asked for.
    expect((await definition(proxy, 'captcha')).challenge).toEqual({
      provider: 'turnstile',
      siteKey: 'site-1',
      script: 'http://127.0.0.1:9/turnstile.js?render=explicit',
    })
    const missing = await proxy.submit('captcha', { email: 'd@example.com' })
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'challenge_required',
    ])
    const failed = await proxy.submit('captcha', { email: 'd@example.com' }, { challenge: 'forged' })
    expect([failed.status, ((await failed.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'challenge_failed',
    ])
    expect(upstreamCalls(proxy)).toBe(0)
    expect((await proxy.submit('captcha', { email: 'd@example.com' }, { challenge: 'good' })).status).toBe(200)
    expect(proxy.logText()).not.toContain('provider-secret')
  })

  it('should refuse to start a form whose provider has no secret', async () => {
    const config = { forms: [form('captcha', { challenge: { provider: 'hcaptcha', siteKey: 'site-1' } })] }
    await expect(createTestProxy({ config })).rejects.toThrow(/form "captcha" uses hcaptcha.*HCAPTCHA_SECRET/)
  })

  it('should issue an ALTCHA challenge and take one solution once', async () => {
    proxy = await createTestProxy({ config: { forms: [form('pow', { challenge: { provider: 'altcha', cost: 10 } })] } })
    expect((await definition(proxy, 'pow')).challenge).toEqual({ provider: 'altcha' })
    const res = await proxy.request('/v1/forms/pow/challenge')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const challenge = (await res.json()) as Parameters<typeof solveChallenge>[0]['challenge']
    const solution = await solveChallenge({ challenge, deriveKey })
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
    expect((await proxy.submit('pow', { email: 'e@example.com' }, { challenge: payload })).status).toBe(200)
    expect((await proxy.submit('pow', { email: 'f@example.com' }, { challenge: payload })).status).toBe(403)
    expect((await proxy.request('/v1/forms/sms/challenge')).status).toBe(404)
  })

  it('should answer 503 challenge_unavailable, not a bare 500, when spent solutions cannot be checked', async () => {
    proxy = await createTestProxy({
      config: { forms: [form('pow', { challenge: { provider: 'altcha', cost: 10 } })] },
      runtime: { bots: { spent: { spend: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) } } },
    })
    const challenge = (await (await proxy.request('/v1/forms/pow/challenge')).json()) as Parameters<
      typeof solveChallenge
    >[0]['challenge']
    const solution = await solveChallenge({ challenge, deriveKey })
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
    const res = await proxy.submit('pow', { email: 'e@example.com' }, { challenge: payload })
    expect(res.status).toBe(503)
    const body = await res.text()
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'challenge_unavailable' } })
    expect(body).not.toContain('5432')
  })
})
