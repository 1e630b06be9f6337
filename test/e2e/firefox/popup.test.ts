import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeFirefox, POLL, focusedIn, inFirefoxPage, launchFirefox, watchFirefox } from '../../helpers/firefox'
import { embedScript, shopPage, strictCsp } from '../../helpers/fixture-site'
import { type ShopAndProxy, startShopAndProxy } from '../../helpers/shop-and-proxy'

/** test/e2e/popup.test.ts's keyboard test in Firefox ESR: in, around, out, and back to the opener. */

let browser: Browser
let env: ShopAndProxy

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchFirefox(), startShopAndProxy()])
  const opener =
    '<p><button type="button" data-open="welcome">Join the club</button> <a href="#more">More coffee</a></p>'
  env.site.serve('/manual', {
    body: shopPage({
      body: `${opener}\n${embedScript(env.proxy.url, 'welcome', { mode: 'popup', trigger: 'manual' })}`,
      after: '\n    <script src="/shop.js" defer></script>',
    }),
    csp: strictCsp(env.proxy.url, { shopScripts: true }),
  })
})
afterAll(async () => {
  await closeFirefox(browser)
  await env?.close()
})

interface DialogState {
  shown: boolean
  modal: string | null
  label: string | null
  /** Keyboard focus (through shadow roots) is on the dialog or inside it. */
  focusInside: boolean
  /** Accessible names of its buttons: the close button's aria-label, the submit button's text. */
  buttons: string[]
}

/** The widget's role=dialog, wherever it is in the page's shadow roots, or null when there is none. */
function dialogState(page: Page): Promise<DialogState | null> {
  return page.evaluate(() => {
    const find = (root: Document | ShadowRoot): Element | null => {
      for (const el of root.querySelectorAll('*')) {
        const hit = el.matches('[role=dialog]') ? el : el.shadowRoot && find(el.shadowRoot)
        if (hit) {
          return hit
        }
      }
      return null
    }
    const box = find(document)
    if (!box) {
      return null
    }
    let active = document.activeElement
    while (active?.shadowRoot?.activeElement) {
      active = active.shadowRoot.activeElement
    }
    return {
      shown: box.checkVisibility(),
      modal: box.getAttribute('aria-modal'),
      label: box.getAttribute('aria-label') ?? box.getAttribute('aria-labelledby'),
      focusInside: active !== null && (active === box || box.contains(active)),
      buttons: [...box.querySelectorAll('button')].map((b) =>
        (b.getAttribute('aria-label') ?? b.textContent ?? '').trim(),
      ),
    }
  })
}

const shown = async (page: Page) => (await dialogState(page))?.shown ?? false

/** Presses Tab (or Shift+Tab) `times` times; returns where focus was after each press, checking it never left the dialog. */
async function cycle(page: Page, shift: boolean, times: number): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < times; i++) {
    if (shift) {
      await page.keyboard.down('Shift')
    }
    await page.keyboard.press('Tab')
    if (shift) {
      await page.keyboard.up('Shift')
    }
    const where = await focusedIn(page)
    expect(
      (await dialogState(page))?.focusInside,
      `focus left the dialog after ${shift ? 'Shift+' : ''}Tab #${i + 1}: ${where}`,
    ).toBe(true)
    seen.push(where)
  }
  return seen
}

describe('popup in Firefox', () => {
  it('opens from the keyboard, moves focus in, traps Tab both ways, closes on Esc and returns focus to the opener', async () => {
    await inFirefoxPage(browser, async (page) => {
      const watch = await watchFirefox(page)
      await page.goto(`${env.site.url}/manual`)
      await expect
        .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open), POLL)
        .toBe('function')
      // trigger=manual: nothing shows by itself.
      expect(await shown(page)).toBe(false)

      await page.focus('button[data-open]')
      expect(await focusedIn(page)).toBe('button "Join the club"')
      await page.keyboard.press('Enter')
      await expect.poll(() => shown(page), POLL).toBe(true)
      const open = await dialogState(page)
      expect(open?.modal).toBe('true')
      expect(open?.label).toBeTruthy()
      await expect.poll(async () => (await dialogState(page))?.focusInside, POLL).toBe(true)
      await page.waitForSelector('[data-flowform="welcome"] >>> input[name=email]', { visible: true })
      expect((await dialogState(page))?.buttons.filter((name) => /close/i.test(name))).toHaveLength(1)

      // Tab visits every control and wraps around without leaving; Shift+Tab goes the same way back.
      const forward = await cycle(page, false, 12)
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
      const backward = await cycle(page, true, stops.length * 2)
      // Shift+Tab from position p lands on p-1: the forward order reversed, as a cycle.
      const order = forward.slice(0, stops.length)
      const last = order.indexOf(forward.at(-1) ?? '')
      const expectedBack = Array.from({ length: stops.length * 2 }, (_, i) => {
        const at = last - 1 - i
        return order[((at % order.length) + order.length) % order.length]
      })
      expect(backward).toEqual(expectedBack)

      await page.keyboard.press('Escape')
      await expect.poll(() => shown(page), POLL).toBe(false)
      expect(await focusedIn(page)).toBe('button "Join the club"')

      // Opened again from the keyboard, its close button gives focus back too.
      await page.keyboard.press('Enter')
      await expect.poll(() => shown(page), POLL).toBe(true)
      await page.locator('[data-flowform="welcome"] >>> button.close').click()
      await expect.poll(() => shown(page), POLL).toBe(false)
      expect(await focusedIn(page)).toBe('button "Join the club"')

      expect(await watch.cspViolations()).toEqual([])
      expect(watch.errors).toEqual([])
    })
  })
})
