import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousViolations } from '../helpers/axe'
import { launchChromium } from '../helpers/browser'
import { startProxy } from '../helpers/start-proxy'

/*
 * The widget's part of the bot defense, with the proxy's defaults on (honeypot and timing token,
 * minSeconds 2): a person in Chromium gets through, scripts are answered like a success and
 * delivered nowhere. The gate's clock is the test's: instead of waiting out the token's minimum of
 * 2 s, the test moves that clock past it (no real-time wait to flake on a busy machine).
 */

const FLOW = '200000000000001'
const MIN_SECONDS_MS = 2_100

/** How far the bot gate's clock runs ahead of the wall clock: a person who took their time. */
let ahead = 0
const takeTime = () => {
  ahead += MIN_SECONDS_MS
}

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>
beforeAll(async () => {
  browser = await launchChromium()
  // The checks as in production (startProxy turns them off for the other browser tests), on our clock.
  proxy = await startProxy({}, { bots: { now: () => Date.now() + ahead } })
})
afterAll(async () => {
  await browser?.close()
  await proxy?.close()
})

const enrolled = (): (string | undefined)[] =>
  (proxy.fake?.flowParticipants(FLOW) ?? []).map((p) => p.person.contactInformation?.email?.[0]?.address)

async function openForm(page: Page): Promise<Record<string, unknown>> {
  const definition = page.waitForResponse(
    (r) => r.request().method() === 'GET' && /\/v1\/forms\/welcome(\?|$)/.test(r.url()),
  )
  await page.goto(`${proxy.url}/`)
  const body = (await (await definition).json()) as Record<string, unknown>
  await page.getByRole('button', { name: 'Sign up' }).waitFor()
  return body
}

async function fillAndSend(page: Page, email: string): Promise<string> {
  await page.getByRole('textbox', { name: /email/i }).fill(email)
  await page.getByRole('checkbox', { name: /agree/i }).check()
  await page.getByRole('button', { name: 'Sign up' }).click()
  const status = page.getByRole('status')
  await expect.poll(async () => (await status.textContent())?.trim() ?? '', { timeout: 10_000 }).not.toBe('')
  return (await status.textContent()) ?? ''
}

function postDirectly(body: unknown): Promise<Response> {
  return fetch(`${proxy.url}/v1/forms/welcome/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: proxy.url },
    body: JSON.stringify(body),
  })
}

describe('bot defense with the widget in real Chromium', () => {
  it('a person is enrolled; the honeypot is off-screen, skipped by Tab and passes axe', async () => {
    const page = await browser.newPage()
    try {
      const definition = await openForm(page)
      expect(definition.token).toEqual(expect.any(String))
      expect(definition.honeypot).toBe('website')
      const honeypot = page.locator('[data-flowform="welcome"] input[name="website"]')
      const box = await honeypot.boundingBox()
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(0)
      await expectNoSeriousViolations(page, 'inline form with its honeypot')
      // Tab from the last field goes to the button, past the honeypot.
      await page.getByRole('checkbox', { name: /agree/i }).focus()
      await page.keyboard.press('Tab')
      expect(
        await page.evaluate(() => document.querySelector('[data-flowform]')?.shadowRoot?.activeElement?.tagName),
      ).toBe('BUTTON')

      takeTime()
      expect(await fillAndSend(page, 'person@example.com')).toMatch(/thanks for signing up/i)
      expect(enrolled()).toEqual(['person@example.com'])
    } finally {
      await page.close()
    }
  })

  it('a script posting without a token is answered like a person and reaches nobody', async () => {
    const before = proxy.runtime.outbox.count()
    const res = await postDirectly({ values: { email: 'script@example.com', consent: true } })
    // What a person signing up on the demo's welcome form (confirmation "flow") is told.
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'enrolled' })
    expect(proxy.runtime.outbox.count()).toBe(before)
    expect(enrolled()).not.toContain('script@example.com')
    expect(proxy.logText()).toContain('token_missing')
  })

  it('a script with a valid token that fills the honeypot is answered like a person and reaches nobody', async () => {
    const definition = (await (await fetch(`${proxy.url}/v1/forms/welcome`)).json()) as { token: string }
    takeTime()
    const before = proxy.runtime.outbox.count()
    const res = await postDirectly({
      values: { email: 'filler@example.com', consent: true },
      token: definition.token,
      honeypot: 'https://spam.example.com',
    })
    expect(res.status).toBe(200)
    expect(proxy.runtime.outbox.count()).toBe(before)
    expect(enrolled()).not.toContain('filler@example.com')
  })

  it('a bot driving the browser that fills every input, the honeypot too, is told thanks and reaches nobody', async () => {
    const page = await browser.newPage()
    try {
      await openForm(page)
      takeTime()
      const before = proxy.runtime.outbox.count()
      await page.locator('[data-flowform="welcome"] input[name="website"]').fill('https://spam.example.com', {
        force: true,
      })
      expect(await fillAndSend(page, 'bot@example.com')).toMatch(/thanks/i)
      expect(proxy.runtime.outbox.count()).toBe(before)
      expect(enrolled()).not.toContain('bot@example.com')
    } finally {
      await page.close()
    }
  })
})
