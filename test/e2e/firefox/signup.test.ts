import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeFirefox, POLL, inFirefoxPage, launchFirefox, widget } from '../../helpers/firefox'
import { enrolledEmails } from '../../helpers/shop-and-proxy'
import { startProxy } from '../../helpers/start-proxy'

/** test/e2e/signup.test.ts's sandbox signup on the demo shop, in Firefox ESR over WebDriver BiDi. */

const FLOW = '200000000000001'

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>
beforeAll(async () => {
  ;[browser, proxy] = await Promise.all([launchFirefox(), startProxy()])
})
afterAll(async () => {
  await closeFirefox(browser)
  await proxy?.close()
})

/** Fills and sends the form the way a visitor does (elements found by Firefox's own accessible names), and returns the role=status text. */
async function signUp(page: Page, email: string, firstName: string): Promise<string> {
  const inForm = widget('welcome')
  await page.locator(inForm('::-p-aria([name="Email"][role="textbox"])')).fill(email)
  await page.locator(inForm('::-p-aria([name="First name"][role="textbox"])')).fill(firstName)
  await page.locator(inForm('::-p-aria([role="checkbox"])')).click()
  expect(await page.$eval(inForm('input[name=consent]'), (box) => (box as HTMLInputElement).checked)).toBe(true)
  await page.locator(inForm('::-p-aria([name="Sign up"][role="button"])')).click()
  const status = inForm('::-p-aria([role="status"])')
  const text = () => page.$eval(status, (el) => el.textContent?.trim() ?? '')
  await expect.poll(text, POLL).not.toBe('')
  return text()
}

describe('demo shop in Firefox', () => {
  it('signs up in sandbox mode, then kindly says the person is already signed up', async () => {
    await inFirefoxPage(browser, async (page) => {
      const views = page.waitForRequest((r) => r.url().endsWith('/v1/forms/welcome/views') && r.method() === 'POST')
      await page.goto(`${proxy.url}/`)
      expect(await page.$eval('[data-flowform="welcome"]', (el) => el.shadowRoot?.mode)).toBe('open')
      await views

      expect(await signUp(page, 'ana@example.com', 'Ana')).toMatch(/thanks for signing up/i)
      const fake = proxy.fake
      expect(fake).not.toBeNull()
      expect(fake && enrolledEmails(fake, FLOW)).toEqual(['ana@example.com'])
      expect(fake?.flowParticipants(FLOW)[0]?.person.firstName).toBe('Ana')

      await page.reload()
      expect(await signUp(page, 'ana@example.com', 'Ana')).toMatch(/already signed up/i)
      expect(fake?.flowParticipants(FLOW)).toHaveLength(1)
    })
  })
})
