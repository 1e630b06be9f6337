import type { Browser, Page, Response as PageResponse } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser'
import { fakeProviderScript } from '../helpers/fake-provider-script'
import { fakeVerifier } from '../helpers/fake-verifier'
import { MOMENTS_CAMPAIGN } from '../helpers/fixture-config'
import { embedScript, type FixtureSite, shopPage, startFixtureSite, strictCsp } from '../helpers/fixture-site'
import { type PageWatch, watchPage } from '../helpers/page-watch'
import type { RecordingServer } from '../helpers/recording-server'
import { startProxy } from '../helpers/start-proxy'

/*
 * Issue 8's opt-in challenges with the widget in real Chromium: a person signs up on a form with
 * the self-hosted proof of work (ALTCHA) and on one with Turnstile (its script a loopback fake that
 * hands the widget the token the loopback verifier accepts); a script without a solution is refused
 * and nothing is delivered. The challenge code is a lazy chunk, loaded only by these forms, under
 * the shop's strict CSP.
 */

let browser: Browser
let site: FixtureSite
let verifier: RecordingServer
let provider: RecordingServer
let proxy: Awaited<ReturnType<typeof startProxy>>

const form = (id: string, botDefense: unknown) => ({
  id,
  allowedOrigins: [site.url],
  fields: [
    { name: 'email', type: 'email', required: true, label: 'Email' },
    { name: 'consent', type: 'checkbox', required: true, label: 'I agree to receive emails' },
  ],
  flow: { api: 'moments', campaignId: MOMENTS_CAMPAIGN },
  confirmation: 'flow',
  submitLabel: 'Sign up',
  // No timing wait: these tests are about the challenge (bot-defense.test.ts covers the token).
  botDefense: { minSeconds: 0, ...(botDefense as object) },
})

beforeAll(async () => {
  ;[browser, site, verifier, provider] = await Promise.all([
    launchChromium(),
    startFixtureSite(),
    fakeVerifier(),
    fakeProviderScript(),
  ])
  proxy = await startProxy(
    {
      TURNSTILE_SECRET: 'provider-secret',
      TURNSTILE_VERIFY_URL: `${verifier.url}/siteverify`,
      TURNSTILE_SCRIPT_URL: `${provider.url}/turnstile.js`,
      RECAPTCHA_SECRET: 'provider-secret',
      RECAPTCHA_VERIFY_URL: `${verifier.url}/siteverify`,
      RECAPTCHA_SCRIPT_URL: `${provider.url}/recaptcha.js`,
    },
    {
      config: {
        forms: [
          form('pow', { challenge: { provider: 'altcha' } }),
          form('captcha', { challenge: { provider: 'turnstile', siteKey: 'site-1' } }),
          form('score', { challenge: { provider: 'recaptcha', siteKey: 'site-2', action: 'signup' } }),
          form('plain', {}),
        ],
      },
      bots: {},
    },
  )
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all([proxy?.close(), site?.close(), verifier?.close(), provider?.close()])
})

const enrolled = (): string[] =>
  (proxy.fake?.flowParticipants(MOMENTS_CAMPAIGN) ?? []).map(
    (p) => p.person.contactInformation?.email?.[0]?.address ?? '',
  )

/** The shop's strict policy, plus the provider's origin for its script and frame where a form uses one. */
function csp(extra = ''): string {
  return strictCsp(proxy.url).replace('script-src ', `script-src ${extra} `) + (extra ? `; frame-src ${extra}` : '')
}

async function open(
  path: string,
  formId: string,
  policy: string,
): Promise<{ page: Page; watch: PageWatch; responses: PageResponse[] }> {
  site.serve(path, { body: shopPage({ body: embedScript(proxy.url, formId) }), csp: policy })
  const page = await (await browser.newContext()).newPage()
  const watch = await watchPage(page)
  const responses: PageResponse[] = []
  page.on('response', (response) => responses.push(response))
  await page.goto(`${site.url}${path}`)
  await page.getByRole('button', { name: 'Sign up' }).waitFor({ timeout: 10_000 })
  return { page, watch, responses }
}

async function signUp(page: Page, email: string): Promise<{ status: string; body: Record<string, unknown> }> {
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/submissions'), {
    timeout: 15_000,
  })
  await page.getByRole('textbox', { name: /email/i }).fill(email)
  await page.getByRole('checkbox', { name: /agree/i }).check()
  await page.getByRole('button', { name: 'Sign up' }).click()
  const body = (await posted).postDataJSON() as Record<string, unknown>
  const status = page.getByRole('status')
  await expect.poll(async () => (await status.textContent())?.trim() ?? '', { timeout: 15_000 }).not.toBe('')
  return { status: (await status.textContent()) ?? '', body }
}

function post(formId: string, extra: Record<string, unknown>): Promise<Response> {
  return fetch(`${proxy.url}/v1/forms/${formId}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: site.url },
    body: JSON.stringify({ values: { email: 'script@example.com', consent: true }, ...extra }),
  })
}

async function tokenOf(formId: string): Promise<string> {
  return ((await (await fetch(`${proxy.url}/v1/forms/${formId}`)).json()) as { token: string }).token
}

describe('challenges in real Chromium', () => {
  it('a person signs up on a proof-of-work form: the lazy chunk solves it under a strict CSP', async () => {
    const { page, watch, responses } = await open('/pow', 'pow', csp())
    try {
      const { status, body } = await signUp(page, 'pow@example.com')
      expect(status).toMatch(/thanks for signing up/i)
      expect(body.challenge).toEqual(expect.any(String))
      const payload = JSON.parse(Buffer.from(String(body.challenge), 'base64').toString('utf8')) as {
        solution: { counter: number; derivedKey: string }
      }
      expect(payload.solution.derivedKey).toMatch(/^00/)
      expect(enrolled()).toContain('pow@example.com')
      // The chunk came from the proxy, importable cross-origin, cached like flowform.js.
      const chunk = responses.find((r) => r.url() === `${proxy.url}/flowform-challenge.js`)
      expect(chunk?.status()).toBe(200)
      const headers = (await chunk?.allHeaders()) ?? {}
      expect(headers['access-control-allow-origin']).toBe('*')
      expect(headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400')
      expect(watch.cspViolations).toEqual([])
      expect(watch.pageErrors).toEqual([])
    } finally {
      await page.context().close()
    }
  })

  it('a person signs up on a Turnstile form: the provider script (a loopback fake) gives the token', async () => {
    const before = verifier.requests.length
    const { page, watch } = await open('/captcha', 'captcha', csp(provider.url))
    try {
      await expect.poll(() => provider.requests.map((r) => r.path)).toContain('/turnstile.js')
      expect(provider.requests.find((r) => r.path === '/turnstile.js')?.query.get('render')).toBe('explicit')
      // The fake drew its check where the form shows it (a light-DOM child slotted into the form).
      await expect.poll(() => page.getByText('Verified (fake turnstile)').isVisible()).toBe(true)
      const { status, body } = await signUp(page, 'captcha@example.com')
      expect(status).toMatch(/thanks for signing up/i)
      expect(body.challenge).toBe('good')
      expect(enrolled()).toContain('captcha@example.com')
      const asked = verifier.requests.slice(before).map((r) => new URLSearchParams(r.body).get('response'))
      expect(asked).toEqual(['good'])
      expect(watch.cspViolations).toEqual([])
      expect(watch.pageErrors).toEqual([])
    } finally {
      await page.context().close()
    }
  })

  it('a person signs up on a reCAPTCHA v3 form: a token for the configured action, asked for at the click', async () => {
    const { page, watch } = await open('/score', 'score', csp(provider.url))
    try {
      await expect.poll(() => provider.requests.map((r) => r.path)).toContain('/recaptcha.js')
      expect(provider.requests.find((r) => r.path === '/recaptcha.js')?.query.get('render')).toBe('site-2')
      const { status, body } = await signUp(page, 'score@example.com')
      expect(status).toMatch(/thanks for signing up/i)
      expect(body.challenge).toBe('good')
      expect(
        await page.evaluate(() => (window as unknown as { __recaptchaActions: string[] }).__recaptchaActions),
      ).toEqual(['site-2:signup'])
      expect(enrolled()).toContain('score@example.com')
      expect(watch.cspViolations).toEqual([])
    } finally {
      await page.context().close()
    }
  })

  it('a form without a challenge loads neither the challenge chunk nor a provider script', async () => {
    const scripts = provider.requests.length
    const { page, responses } = await open('/plain', 'plain', strictCsp(proxy.url))
    try {
      expect(await signUp(page, 'plain@example.com')).toMatchObject({ status: expect.stringMatching(/thanks/i) })
      // Only the submission chunk (value rules, post), once the person focused the form; no challenge code.
      expect(responses.map((r) => r.url()).filter((url) => url.includes('flowform-'))).toEqual([
        `${proxy.url}/flowform-submit.js`,
      ])
      expect(provider.requests.length).toBe(scripts)
    } finally {
      await page.context().close()
    }
  })

  it('a script without a solution is refused and nothing is delivered', async () => {
    const outbox = proxy.runtime.outbox.count()
    const people = enrolled().length
    for (const formId of ['pow', 'captcha']) {
      const token = await tokenOf(formId)
      const missing = await post(formId, { token })
      expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([
        403,
        'challenge_required',
      ])
      const forged = await post(formId, {
        token,
        challenge: formId === 'pow' ? Buffer.from('{"challenge":{},"solution":{}}').toString('base64') : 'forged',
      })
      expect([forged.status, ((await forged.json()) as { error: { code: string } }).error.code]).toEqual([
        403,
        'challenge_failed',
      ])
    }
    expect(proxy.runtime.outbox.count()).toBe(outbox)
    expect(enrolled().length).toBe(people)
    expect(enrolled()).not.toContain('script@example.com')
  })
})
