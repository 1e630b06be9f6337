import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousViolations } from '../helpers/axe'
import { inPage, launchChromium } from '../helpers/browser'
import { focused, focusIsInside } from '../helpers/focus'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** `data-mode="slide-in"`: a non-modal corner panel that appears on its trigger and leaves the page usable. */

let browser: Browser
let env: ShopAndProxy

/** Records when the page saw `flowform:view` (a slide-in counts its view when it opens). */
const RECORD_VIEW = `<script>
  document.addEventListener('flowform:view', () => { window.viewedAt = performance.now() })
</script>`

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  env.site.serve(
    '/delay',
    shopPage({
      body: [
        RECORD_VIEW,
        '<p><label for="search">Search the shop</label> <input id="search" type="search" /></p>',
        '<p><a href="#beans">Beans</a></p>',
        embedScript(env.proxy.url, 'welcome', { mode: 'slide-in', trigger: 'delay', delay: '2' }),
      ].join('\n'),
    }),
  )
  env.site.serve(
    '/scroll',
    shopPage({
      body: [
        '<div class="tall"><p>Long story about coffee.</p></div>',
        '<div class="tall"><p>More of it.</p></div>',
        embedScript(env.proxy.url, 'welcome', { mode: 'slide-in', trigger: 'scroll', scroll: '50' }),
      ].join('\n'),
    }),
  )
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>, viewport = { width: 1000, height: 700 }): Promise<void> =>
  inPage(browser, run, { viewport })

describe('slide-in', () => {
  it('appears after data-delay seconds in a corner, without taking focus or blocking the page; the close button closes it', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/delay`)
      const panel = page.getByRole('dialog')
      expect(await panel.count()).toBe(0)
      // The visitor is busy with the page when the panel arrives.
      await page.getByLabel('Search the shop').focus()
      await page.keyboard.type('gey')

      await panel.waitFor({ timeout: 10_000 })
      const { viewedAt, scriptAt } = await page.evaluate(() => {
        const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) =>
          e.name.endsWith('/flowform.js'),
        )
        return { viewedAt: (window as { viewedAt?: number }).viewedAt ?? -1, scriptAt: script?.responseEnd ?? 0 }
      })
      expect(viewedAt - scriptAt).toBeGreaterThanOrEqual(1_900)

      expect(await panel.getAttribute('aria-modal')).not.toBe('true')
      // Focus stayed in the page's search box, and typing goes on there.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search')
      await page.keyboard.type('sha')
      expect(await page.getByLabel('Search the shop').inputValue()).toBe('geysha')

      // Bottom corner of the viewport, not covering the middle of the page.
      const box = await panel.boundingBox()
      expect(box).not.toBeNull()
      if (box) {
        expect(box.y + box.height).toBeGreaterThan(700 - 64)
        expect(box.y + box.height).toBeLessThanOrEqual(700)
        const nearRight = 1000 - (box.x + box.width) < 64
        const nearLeft = box.x < 64
        expect(nearRight || nearLeft).toBe(true)
        expect(box.width).toBeLessThan(1000 * 0.7)
      }
      // No backdrop: a link of the page is still clickable.
      await page.getByRole('link', { name: 'Beans' }).click({ timeout: 2_000 })
      expect(page.url()).toMatch(/#beans$/)

      await panel.getByRole('textbox', { name: /email/i }).waitFor()
      await expectNoSeriousViolations(page, 'with the slide-in open')

      await panel.getByRole('button', { name: /close/i }).click()
      await expect.poll(() => panel.count()).toBe(0)
    })
  })

  it('is reachable with Tab from the page and does not trap focus; Esc inside closes it', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/delay`)
      const panel = page.getByRole('dialog')
      await panel.getByRole('textbox', { name: /email/i }).waitFor({ timeout: 10_000 })
      await page.getByRole('link', { name: 'Beans' }).focus()
      const stops: string[] = []
      for (let i = 0; i < 6 && !stops.includes('input[name=email]'); i++) {
        await page.keyboard.press('Tab')
        stops.push(await focused(page))
      }
      expect(stops).toContain('input[name=email]')
      // Non-modal: Tab goes on past the panel's last control instead of wrapping inside it.
      let left = false
      for (let i = 0; i < 8 && !left; i++) {
        await page.keyboard.press('Tab')
        left = !(await focusIsInside(page, '[data-flowform="welcome"]'))
      }
      expect(left).toBe(true)

      await panel.getByRole('textbox', { name: /email/i }).focus()
      await page.keyboard.press('Escape')
      await expect.poll(() => panel.count()).toBe(0)
    })
  })

  it('trigger=scroll opens it once the page is scrolled past data-scroll percent, not before', async () => {
    await withPage(async (page) => {
      const definition = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/forms/welcome')
      await page.goto(`${env.site.url}/scroll`)
      await (await definition).finished()
      const panel = page.getByRole('dialog')
      await page.mouse.wheel(0, 200)
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
      expect(await panel.count()).toBe(0)
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight * 0.6))
      await panel.waitFor({ timeout: 10_000 })
    })
  })
})
