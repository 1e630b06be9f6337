import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousViolations } from '../helpers/axe'
import { launchChromium } from '../helpers/browser'
import { watchPage } from '../helpers/page-watch'
import { startProxy } from '../helpers/start-proxy'

/**
 * The demo shop the proxy serves in sandbox mode (and the README's screenshots show): every page
 * under its strict CSP, with the widget working and accessible.
 */

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>

beforeAll(async () => {
  ;[browser, proxy] = await Promise.all([launchChromium(), startProxy()])
})
afterAll(async () => {
  await browser?.close()
  await proxy?.close()
})

interface DemoPage {
  path: string
  /** Brings the page to the state worth checking and returns the widget's visible part. */
  show: (page: Page) => Promise<Locator>
}

const PAGES: DemoPage[] = [
  { path: '/', show: async (page) => page.locator('[data-flowform="welcome"]') },
  {
    path: '/popup',
    show: async (page) => {
      await expect
        .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open))
        .toBe('function')
      await page.getByRole('button', { name: /join the club/i }).click()
      return page.getByRole('dialog')
    },
  },
  {
    path: '/slide-in',
    show: async (page) => {
      const panel = page.getByRole('dialog')
      await panel.waitFor({ timeout: 10_000 })
      return panel
    },
  },
  { path: '/dark', show: async (page) => page.locator('[data-flowform="welcome"]') },
  { path: '/de', show: async (page) => page.locator('[data-flowform="welcome"]') },
  { path: '/two-forms', show: async (page) => page.locator('[data-flowform="newsletter"]') },
]

describe('demo pages', () => {
  for (const demo of PAGES) {
    it(`${demo.path}: renders under the page's CSP with no violations or errors, and passes axe`, async () => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
      const page = await context.newPage()
      try {
        const watch = await watchPage(page)
        const response = await page.goto(`${proxy.url}${demo.path}`)
        expect(response?.status()).toBe(200)
        expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/)
        const widget = await demo.show(page)
        await widget
          .getByRole('button', { name: /sign up|anmelden|subscribe|submit/i })
          .last()
          .waitFor()
        if (demo.path === '/two-forms') {
          expect(await page.locator('[data-flowform]').count()).toBe(2)
        }
        await expectNoSeriousViolations(page, `on the demo page ${demo.path}`)
        expect(watch.cspViolations).toEqual([])
        expect(watch.pageErrors).toEqual([])
        // Nothing fails, not even the browser's own favicon request (the pages name /demo/favicon.svg).
        expect(watch.failedResponses).toEqual([])
        expect(watch.consoleErrors).toEqual([])
      } finally {
        await context.close()
      }
    })
  }
})
