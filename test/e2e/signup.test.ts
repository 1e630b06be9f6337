import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { launchChromium } from '../helpers/browser'
import { startRecordingServer } from '../helpers/recording-server'
import { startProxy } from '../helpers/start-proxy'

let browser: Browser
beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
})

async function signUp(page: Page, email: string, firstName: string): Promise<string> {
  await page.getByRole('textbox', { name: /email/i }).fill(email)
  await page.getByRole('textbox', { name: /first name/i }).fill(firstName)
  await page.getByRole('checkbox', { name: /agree/i }).check()
  await page.getByRole('button', { name: 'Sign up' }).click()
  const status = page.getByRole('status')
  await expect.poll(async () => (await status.textContent())?.trim() ?? '', { timeout: 10_000 }).not.toBe('')
  return (await status.textContent()) ?? ''
}

describe('demo shop in real Chromium', () => {
  // The one browser test of a repeated signup; test/proxy/api.test.ts has the one proxy-level test,
  // and test/widget/events.test.ts the `flowform:success` detail it fires.
  it('signs up in sandbox mode, then kindly says the person is already signed up', async () => {
    const proxy = await startProxy()
    const page = await browser.newPage()
    try {
      const views = page.waitForRequest((r) => r.url().endsWith('/v1/forms/welcome/views') && r.method() === 'POST')
      await page.goto(`${proxy.url}/`)
      const host = page.locator('[data-flowform="welcome"]')
      expect(await host.evaluate((el) => el.shadowRoot?.mode)).toBe('open')
      await views
      expect(await signUp(page, 'ana@example.com', 'Ana')).toMatch(/thanks for signing up/i)
      const participants = proxy.fake?.flowParticipants('200000000000001') ?? []
      expect(participants.map((p) => p.person.contactInformation?.email?.[0]?.address)).toEqual(['ana@example.com'])
      expect(participants[0]?.person.firstName).toBe('Ana')

      await page.reload()
      expect(await signUp(page, 'ana@example.com', 'Ana')).toMatch(/already signed up/i)
      expect(proxy.fake?.flowParticipants('200000000000001')).toHaveLength(1)
    } finally {
      await page.close()
      await proxy.close()
    }
  })

  it('calls a loopback Infobip with Basic auth that never reaches the browser', async () => {
    const username = 'shop-owner'
    const password = 'pa55-Very-Secret'
    const upstream = createInfobipFake({ credentials: { username, password } })
    const recorder = await startRecordingServer((request) => upstream.fetch(request))
    const proxy = await startProxy({
      INFOBIP_BASE_URL: recorder.url,
      INFOBIP_USERNAME: username,
      INFOBIP_PASSWORD: password,
    })
    const page = await browser.newPage()
    const seen: string[] = []
    page.on('response', (response) => {
      void response.text().then(
        (text) => seen.push(JSON.stringify(response.headers()) + text),
        () => {},
      )
    })
    try {
      await page.goto(`${proxy.url}/`)
      expect(await signUp(page, 'bo@example.com', 'Bo')).toMatch(/thanks for signing up/i)
      const add = recorder.requests.find(
        (r) => r.method === 'POST' && r.path === '/moments/1/flows/200000000000001/participants',
      )
      expect(add).toBeDefined()
      expect(add?.headers.authorization).toBe(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`)
      expect(add?.json).toMatchObject({
        participants: [
          {
            identifyBy: { identifier: 'bo@example.com', type: 'EMAIL' },
            person: { firstName: 'Bo', contactInformation: { email: [{ address: 'bo@example.com' }] } },
          },
        ],
      })
      const everything = seen.join('\n') + (await page.content())
      expect(seen.length).toBeGreaterThan(2)
      expect(everything).not.toContain(password)
      expect(everything).not.toContain(Buffer.from(`${username}:${password}`).toString('base64'))
      expect(proxy.logText()).not.toContain(password)
    } finally {
      await page.close()
      await proxy.close()
      await recorder.close()
    }
  })
})
