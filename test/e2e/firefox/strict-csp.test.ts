import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_CSP, DEMO_PAGES } from '../../../proxy/http/routes/assets'
import { closeFirefox, POLL, inFirefoxPage, launchFirefox, watchFirefox, widget } from '../../helpers/firefox'
import { startProxy } from '../../helpers/start-proxy'

/**
 * The demo shop under its strict Content-Security-Policy (no inline script or style, no eval) in
 * Firefox ESR: the widget renders and Firefox reports no violation. Firefox enforces CSP in shadow
 * roots and constructed stylesheets in its own way, so Chromium passing proves nothing here.
 */

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>
beforeAll(async () => {
  ;[browser, proxy] = await Promise.all([launchFirefox(), startProxy()])
})
afterAll(async () => {
  await closeFirefox(browser)
  await proxy?.close()
})

/** How many `[data-flowform]` hosts the page has, and how many of them show a form (a visible submit button). */
function rendered(page: Page): Promise<{ hosts: number; shown: number }> {
  return page.evaluate(() => {
    const hosts = [...document.querySelectorAll('[data-flowform]')]
    const shown = hosts.filter((host) => host.shadowRoot?.querySelector('button[type=submit]')?.checkVisibility())
    return { hosts: hosts.length, shown: shown.length }
  })
}

describe('strict CSP in Firefox', () => {
  it('renders the inline form on the demo page with no CSP violation, and the watch does see one', async () => {
    await inFirefoxPage(browser, async (page) => {
      const watch = await watchFirefox(page)
      const response = await page.goto(`${proxy.url}/`)
      expect(response?.headers()['content-security-policy']).toBe(DEMO_CSP)
      await page.waitForSelector(widget('welcome')('::-p-aria([name="Sign up"][role="button"])'), { visible: true })
      await expect.poll(() => rendered(page), POLL).toEqual({ hosts: 1, shown: 1 })
      // Its styles apply: a constructed stylesheet (no inline <style> for the CSP to refuse), with the
      // widget's box-sizing rule in effect (Firefox's own default for an input is content-box).
      const styles = await page.$eval('[data-flowform="welcome"]', (host) => ({
        sheets: host.shadowRoot?.adoptedStyleSheets.length ?? 0,
        sizing: getComputedStyle(host.shadowRoot?.querySelector('input[name=email]') ?? host).boxSizing,
      }))
      expect(styles).toEqual({ sheets: 1, sizing: 'border-box' })
      expect(await watch.cspViolations()).toEqual([])
      expect(watch.errors).toEqual([])

      // The control: an inline style attribute is refused under style-src 'self', and the watch reports it.
      await page.evaluate(() => {
        document.body.insertAdjacentHTML('beforeend', '<p style="color: red">refused</p>')
      })
      await expect.poll(() => watch.cspViolations(), POLL).toEqual([expect.stringMatching(/^style-src/)])
    })
  })

  for (const path of Object.keys(DEMO_PAGES)) {
    it(`${path}: every widget renders under the demo CSP with no violation or error`, async () => {
      await inFirefoxPage(browser, async (page) => {
        const watch = await watchFirefox(page)
        const response = await page.goto(`${proxy.url}${path}`)
        expect(response?.headers()['content-security-policy']).toBe(DEMO_CSP)
        await expect
          .poll(() => page.evaluate(() => typeof (window as { Flowform?: unknown }).Flowform), POLL)
          .toBe('object')
        // A popup or slide-in shows when asked: the demo's own buttons open it.
        const opener = await page.$('[data-open-form]')
        await opener?.click()
        await expect
          .poll(async () => {
            const { hosts, shown } = await rendered(page)
            return hosts > 0 && shown === hosts
          }, POLL)
          .toBe(true)
        expect(await watch.cspViolations()).toEqual([])
        expect(watch.errors).toEqual([])
      })
    })
  }
})
