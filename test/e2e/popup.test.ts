import type { Browser, Locator, Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousViolations } from '../helpers/axe'
import { inPage, launchChromium } from '../helpers/browser'
import { focused } from '../helpers/focus'
import { embedScript, shopPage, strictCsp } from '../helpers/fixture-site'
import { watchPage } from '../helpers/page-watch'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** `data-mode="popup"`: a modal dialog that takes focus, keeps it, gives it back, and does not nag. */

const DAY_MS = 86_400_000

let browser: Browser
let env: ShopAndProxy

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  const opener =
    '<p><button type="button" data-open="welcome">Join the club</button> <a href="#more">More coffee</a></p>'
  env.site.serve('/manual', {
    body: shopPage({
      body: `${opener}\n${embedScript(env.proxy.url, 'welcome', { mode: 'popup', trigger: 'manual' })}`,
      after: '\n    <script src="/shop.js" defer></script>',
    }),
    csp: strictCsp(env.proxy.url, { shopScripts: true }),
  })
  env.site.serve('/exit', shopPage({ body: embedScript(env.proxy.url, 'welcome', { mode: 'popup', trigger: 'exit' }) }))
  env.site.serve(
    '/on-load',
    shopPage({
      body: `${opener}\n${embedScript(env.proxy.url, 'welcome', { mode: 'popup', trigger: 'load', 'frequency-days': '3' })}`,
      after: '\n    <script src="/shop.js" defer></script>',
    }),
  )
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>): Promise<void> => inPage(browser, run)

/** Whether keyboard focus (through shadow roots) is on `dialog` or inside it. */
function focusInside(dialog: Locator): Promise<boolean> {
  return dialog.evaluate((box) => {
    let active = document.activeElement
    while (active?.shadowRoot?.activeElement) {
      active = active.shadowRoot.activeElement
    }
    return active !== null && (active === box || box.contains(active))
  })
}

/** Presses `key` `times` times and returns where focus was after each press, checking it never left `dialog`. */
async function cycle(page: Page, dialog: Locator, key: string, times: number): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(key)
    const where = await focused(page)
    expect(await focusInside(dialog), `focus left the dialog after ${key} #${i + 1}: ${where}`).toBe(true)
    seen.push(where)
  }
  return seen
}

/** Resolves once the widget has its definition (body and all) and the page has painted twice since. */
async function settled(page: Page, definition: Promise<Response>): Promise<void> {
  await (await definition).finished()
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

const definitionResponse = (page: Page) =>
  page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/forms/welcome' && r.request().method() === 'GET')

describe('popup', () => {
  it('opens from a button through Flowform.open, traps Tab, closes on Esc and returns focus to the button', async () => {
    await withPage(async (page) => {
      const watch = await watchPage(page)
      const loaded = definitionResponse(page)
      await page.goto(`${env.site.url}/manual`)
      await settled(page, loaded)
      const dialog = page.getByRole('dialog')
      // trigger=manual: nothing shows by itself.
      expect(await dialog.count()).toBe(0)

      const opener = page.getByRole('button', { name: 'Join the club' })
      await opener.focus()
      await page.keyboard.press('Enter')
      await dialog.waitFor()
      expect(await dialog.getAttribute('aria-modal')).toBe('true')
      expect(
        await dialog.evaluate((el) => el.getAttribute('aria-label') ?? el.getAttribute('aria-labelledby')),
      ).toBeTruthy()
      await expect.poll(() => focusInside(dialog)).toBe(true)
      await dialog.getByRole('textbox', { name: /email/i }).waitFor()
      expect(await dialog.getByRole('button', { name: /close/i }).count()).toBe(1)

      // Tab visits every control and wraps around without leaving; Shift+Tab goes the same way back.
      const forward = await cycle(page, dialog, 'Tab', 12)
      const stops = [...new Set(forward)]
      expect(stops).toEqual(
        expect.arrayContaining([
          'input[name=email]',
          'input[name=firstName]',
          'input[name=consent]',
          'button "Sign up"',
        ]),
      )
      expect(stops.some((stop) => /^button ".*close.*"$/i.test(stop))).toBe(true)
      expect(forward.slice(stops.length, stops.length * 2)).toEqual(forward.slice(0, stops.length))
      const backward = await cycle(page, dialog, 'Shift+Tab', stops.length * 2)
      expect([...new Set(backward)].sort()).toEqual([...stops].sort())
      const order = forward.slice(0, stops.length)
      // Shift+Tab from position p lands on p-1: the forward order reversed, as a cycle.
      const last = forward.at(-1) ?? ''
      const expectedBack = Array.from({ length: stops.length * 2 }, (_, i) => {
        const at = order.indexOf(last) - 1 - i
        return order[((at % order.length) + order.length) % order.length]
      })
      expect(backward).toEqual(expectedBack)

      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)
      expect(await focused(page)).toBe('button "Join the club"')

      // The close button works too, and also gives focus back.
      await page.keyboard.press('Enter')
      await dialog.waitFor()
      await dialog.getByRole('button', { name: /close/i }).click()
      await expect.poll(() => dialog.count()).toBe(0)
      expect(await focused(page)).toBe('button "Join the club"')

      // Flowform.close(id) closes it as well.
      await page.keyboard.press('Enter')
      await dialog.waitFor()
      await page.evaluate(() =>
        (window as unknown as { Flowform: { close(id: string): void } }).Flowform.close('welcome'),
      )
      await expect.poll(() => dialog.count()).toBe(0)

      expect(watch.cspViolations).toEqual([])
      expect(watch.pageErrors).toEqual([])
    })
  })

  it('opens again at once after Esc: the close event still queued from before does not shut it', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/manual`)
      await expect
        .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open))
        .toBe('function')
      const dialog = page.getByRole('dialog')
      await page.getByRole('button', { name: 'Join the club' }).focus()
      // Chromium runs input before the queued `close` event of the dialog just closed; reproduced
      // before within a few rounds (it opened, and the stale event closed it in the same instant).
      for (let round = 1; round <= 12; round++) {
        await page.keyboard.press('Enter')
        await dialog.getByRole('textbox', { name: /email/i }).waitFor({ timeout: 3_000 })
        // Two frames and a task later, any event queued by the close before has been dispatched.
        await page.evaluate(
          () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve)))),
        )
        expect(await dialog.count(), `round ${round}`).toBe(1)
        await page.keyboard.press('Escape')
        await expect.poll(() => dialog.count()).toBe(0)
        expect(await focused(page)).toBe('button "Join the club"')
      }
    })
  })

  it('signs up inside the popup and passes axe while open, with errors, and after success', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/manual`)
      const opener = page.getByRole('button', { name: 'Join the club' })
      await expect
        .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open))
        .toBe('function')
      await opener.click()
      const dialog = page.getByRole('dialog')
      const button = dialog.getByRole('button', { name: 'Sign up' })
      await button.waitFor()
      await expectNoSeriousViolations(page, 'with the popup open')

      await button.click()
      await expect.poll(() => dialog.locator('[aria-invalid="true"]').count()).toBe(2)
      await expectNoSeriousViolations(page, 'in the popup after a validation error')

      await dialog.getByRole('textbox', { name: /email/i }).fill('popup@example.com')
      await dialog.getByRole('checkbox', { name: /agree/i }).check()
      await button.click()
      await dialog
        .getByRole('status')
        .filter({ hasText: /thanks/i })
        .waitFor()
      await expectNoSeriousViolations(page, 'in the popup after success')
      expect(
        env.fake
          .flowParticipants('200000000000001')
          .some((p) => p.person.contactInformation?.email?.[0]?.address === 'popup@example.com'),
      ).toBe(true)
    })
  })

  it('trigger=load opens once; after a close it stays closed for data-frequency-days, but Flowform.open still opens it', async () => {
    await withPage(async (page) => {
      const dialog = page.getByRole('dialog')
      await page.goto(`${env.site.url}/on-load`)
      await dialog.waitFor()
      await expect.poll(() => focusInside(dialog)).toBe(true)
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)

      // Same browser, next page load: quiet.
      let loaded = definitionResponse(page)
      await page.reload()
      await settled(page, loaded)
      expect(await dialog.count()).toBe(0)

      // Two days later: still quiet (frequency is 3 days).
      await page.clock.setFixedTime(Date.now() + 2 * DAY_MS)
      loaded = definitionResponse(page)
      await page.reload()
      await settled(page, loaded)
      expect(await dialog.count()).toBe(0)

      // An explicit open is the visitor's own wish: it ignores the frequency rule.
      await page.getByRole('button', { name: 'Join the club' }).click()
      await dialog.waitFor()
      await dialog.getByRole('button', { name: /close/i }).click()
      await expect.poll(() => dialog.count()).toBe(0)

      // Four days after that close: the load trigger opens it again.
      await page.clock.setFixedTime(Date.now() + 6 * DAY_MS)
      await page.reload()
      await dialog.waitFor()
    })
  })

  it('trigger=exit opens when the pointer leaves the page through the top edge, not when it moves around inside', async () => {
    await withPage(async (page) => {
      const loaded = definitionResponse(page)
      await page.goto(`${env.site.url}/exit`)
      await settled(page, loaded)
      const dialog = page.getByRole('dialog')
      await page.mouse.move(400, 300)
      await page.mouse.move(400, 40, { steps: 4 })
      await page.mouse.move(5, 200, { steps: 4 })
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
      expect(await dialog.count()).toBe(0)
      await page.mouse.move(400, 20)
      await page.mouse.move(400, -5)
      await dialog.waitFor({ timeout: 5_000 })
      expect(await dialog.getAttribute('aria-modal')).toBe('true')
    })
  })
})
