import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inPage, launchChromium } from '../helpers/browser'
import { startProxy } from '../helpers/start-proxy'

/** The mouse on the demo shop's form: what moves under the pointer between mousedown and mouseup. */

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>

beforeAll(async () => {
  ;[browser, proxy] = await Promise.all([launchChromium(), startProxy()])
})
afterAll(async () => {
  await browser?.close()
  await proxy?.close()
})

describe('mouse after a failed submit', () => {
  it('a click on the consent box, right after making the email invalid, ticks it: no message appears on blur to move it', async () => {
    await inPage(browser, async (page) => {
      await page.goto(`${proxy.url}/`)
      const host = page.locator('[data-flowform="welcome"]')
      const email = host.getByRole('textbox', { name: /email/i })
      const consent = host.getByRole('checkbox', { name: /agree/i })
      const button = host.getByRole('button', { name: 'Sign up' })
      await email.fill('ana@example.com')
      await button.click()
      // Only the consent box was wrong.
      await expect.poll(() => consent.getAttribute('aria-invalid')).toBe('true')
      expect(await host.locator('[aria-invalid="true"]').count()).toBe(1)

      // The email edited into an invalid value; focus stays in it.
      await email.click()
      await email.press('End')
      await email.press('Backspace')
      await email.press('Backspace')
      await email.press('Backspace')
      await email.press('Backspace')
      expect(await email.inputValue()).toBe('ana@example')

      // A person's click: press, a moment, release, where the box was when they aimed. The press
      // blurs the email; a message appearing above the box then would push it down ~24px and the
      // release would land beside it.
      await consent.scrollIntoViewIfNeeded()
      const box = await consent.boundingBox()
      expect(box).not.toBeNull()
      if (box) {
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { delay: 80 })
      }
      expect(await consent.isChecked()).toBe(true)
      expect(await consent.boundingBox()).toEqual(box)
      await expect.poll(() => host.locator('[aria-invalid="true"]').count()).toBe(0)

      // The email's message comes with the next attempt.
      await button.click()
      await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true')
      const errorId = (await email.getAttribute('aria-describedby')) ?? ''
      expect(await host.locator(`[id="${errorId}"]`).textContent()).toBe('Please enter a valid email address.')
    })
  })
})
