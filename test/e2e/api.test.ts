import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inPage, launchChromium } from '../helpers/browser'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { watchPage } from '../helpers/page-watch'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** The custom element, `window.Flowform` and the `flowform:*` events, as a single-page shop uses them. */

let browser: Browser
let env: ShopAndProxy

interface Recorded {
  type: string
  detail: unknown
  bubbles: boolean
  composed: boolean
  /** The event's target is the form's host element `[data-flowform="<id>"]`. */
  onHost: boolean
}

/** Collects every `flowform:*` event that reaches the document, as the page's own analytics would. */
const RECORD_EVENTS = `<script>
  window.flowformEvents = []
  for (const type of ['view', 'submit', 'success', 'error', 'close']) {
    document.addEventListener('flowform:' + type, (event) => {
      const target = event.target
      window.flowformEvents.push({
        type,
        detail: event.detail,
        bubbles: event.bubbles,
        composed: event.composed,
        onHost: target instanceof Element && target.matches('[data-flowform="' + (event.detail && event.detail.form) + '"]'),
      })
    })
  }
</script>`

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  // The bundle alone, without data-form: a library for the element and the API.
  const library = `<script src="${env.proxy.url}/flowform.js" async></script>`
  env.site.serve(
    '/element',
    shopPage({ body: `${RECORD_EVENTS}\n<flowform-signup form="welcome"></flowform-signup>\n${library}` }),
  )
  env.site.serve(
    '/element-popup',
    shopPage({
      body: `${RECORD_EVENTS}\n<flowform-signup form="welcome" mode="popup" trigger="manual"></flowform-signup>\n${library}`,
    }),
  )
  env.site.serve('/spa', shopPage({ body: `${RECORD_EVENTS}\n<div id="app"></div>\n${library}` }))
  env.site.serve('/missing', shopPage({ body: `${RECORD_EVENTS}\n${embedScript(env.proxy.url, 'no-such-form')}` }))
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>): Promise<void> => inPage(browser, run)

const events = (page: Page): Promise<Recorded[]> =>
  page.evaluate(() => (window as unknown as { flowformEvents: Recorded[] }).flowformEvents)

async function flowformReady(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => typeof (window as { Flowform?: { mount?: unknown } }).Flowform?.mount))
    .toBe('function')
}

/** POSTs to the views endpoint the page has made so far. */
function countViews(page: Page): () => number {
  let views = 0
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/forms/welcome/views') {
      views++
    }
  })
  return () => views
}

describe('custom element', () => {
  it('<flowform-signup form="welcome"> renders the form in place and signs up', async () => {
    await withPage(async (page) => {
      const watch = await watchPage(page)
      await page.goto(`${env.site.url}/element`)
      const host = page.locator('flowform-signup [data-flowform="welcome"]')
      await host.getByRole('button', { name: 'Sign up' }).waitFor()
      expect(await host.evaluate((el) => el.shadowRoot?.mode)).toBe('open')
      await host.getByRole('textbox', { name: /email/i }).fill('element@example.com')
      await host.getByRole('checkbox', { name: /agree/i }).check()
      await host.getByRole('button', { name: 'Sign up' }).click()
      await host
        .getByRole('status')
        .filter({ hasText: /thanks/i })
        .waitFor()
      expect(watch.pageErrors).toEqual([])
    })
  })

  it('removing the element unmounts the form; adding it back mounts one form again', async () => {
    await withPage(async (page) => {
      const views = countViews(page)
      await page.goto(`${env.site.url}/element`)
      await page.locator('[data-flowform="welcome"]').getByRole('button', { name: 'Sign up' }).waitFor()
      await page.evaluate(() => {
        const element = document.querySelector('flowform-signup')
        ;(window as unknown as { parked: Element | null }).parked = element
        element?.remove()
      })
      expect(await page.locator('[data-flowform]').count()).toBe(0)
      await page.evaluate(() => {
        const element = (window as unknown as { parked: Element }).parked
        document.querySelector('main')?.append(element)
      })
      await page.locator('[data-flowform="welcome"]').getByRole('button', { name: 'Sign up' }).waitFor()
      expect(await page.locator('[data-flowform]').count()).toBe(1)
      expect(await page.getByRole('button', { name: 'Sign up' }).count()).toBe(1)
      expect(views()).toBe(1)
    })
  })

  it('mode="popup" on the element opens with Flowform.open and closes with Flowform.close', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/element-popup`)
      await flowformReady(page)
      const dialog = page.getByRole('dialog')
      expect(await dialog.count()).toBe(0)
      await page.evaluate(() =>
        (window as unknown as { Flowform: { open(id: string): void } }).Flowform.open('welcome'),
      )
      await dialog.getByRole('button', { name: 'Sign up' }).waitFor()
      expect(await dialog.getAttribute('aria-modal')).toBe('true')
      await page.evaluate(() =>
        (window as unknown as { Flowform: { close(id: string): void } }).Flowform.close('welcome'),
      )
      await expect.poll(() => dialog.count()).toBe(0)
    })
  })
})

describe('Flowform.mount in a single-page shop', () => {
  it('mount → unmount → mount again: one form, one view counted; mounting the same target twice is one form', async () => {
    await withPage(async (page) => {
      const views = countViews(page)
      await page.goto(`${env.site.url}/spa`)
      await flowformReady(page)
      const api = await page.evaluate(() => {
        const w = window as unknown as {
          Flowform: { mount(el: Element, o: { form: string }): { unmount(): void; open(): void; close(): void } }
          handle: { unmount(): void; open(): void; close(): void }
        }
        const target = document.querySelector('#app') as Element
        w.handle = w.Flowform.mount(target, { form: 'welcome' })
        const again = w.Flowform.mount(target, { form: 'welcome' })
        return {
          same: again === w.handle,
          methods: ['unmount', 'open', 'close'].filter(
            (m) => typeof (w.handle as unknown as Record<string, unknown>)[m] === 'function',
          ),
        }
      })
      expect(api).toEqual({ same: true, methods: ['unmount', 'open', 'close'] })
      const form = page.locator('#app [data-flowform="welcome"]')
      await form.getByRole('button', { name: 'Sign up' }).waitFor()
      await expect.poll(views).toBe(1)

      // The shop navigates away: unmount leaves nothing behind.
      await page.evaluate(() => {
        const w = window as unknown as { handle: { unmount(): void } }
        w.handle.unmount()
        w.handle.unmount()
      })
      expect(await page.locator('[data-flowform]').count()).toBe(0)
      expect(await page.locator('#app').evaluate((el) => el.childElementCount)).toBe(0)

      // …and back: one form again, and the page load's view was already counted.
      await page.evaluate(() => {
        const w = window as unknown as { Flowform: { mount(el: Element, o: { form: string }): unknown } }
        w.Flowform.mount(document.querySelector('#app') as Element, { form: 'welcome' })
      })
      await form.getByRole('button', { name: 'Sign up' }).waitFor()
      expect(await page.locator('[data-flowform]').count()).toBe(1)
      expect(await page.getByRole('textbox', { name: /email/i }).count()).toBe(1)
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
      expect(views()).toBe(1)
    })
  })

  it('throws a TypeError for a bad target or form id, without breaking the page', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/spa`)
      await flowformReady(page)
      const errors = await page.evaluate(() => {
        const w = window as unknown as { Flowform: { mount(el: unknown, o: unknown): unknown } }
        const attempt = (run: () => unknown) => {
          try {
            run()
            return 'no error'
          } catch (error) {
            return `${(error as Error).name}: ${(error as Error).message}`
          }
        }
        return [
          attempt(() => w.Flowform.mount(null, { form: 'welcome' })),
          attempt(() => w.Flowform.mount(document.querySelector('#app'), { form: 'Not An Id!' })),
          attempt(() => w.Flowform.mount(document.querySelector('#app'), { form: 'welcome', mode: 'fullscreen' })),
        ]
      })
      for (const error of errors) {
        expect(error).toMatch(/^TypeError: \[flowform\]/)
      }
      expect(await page.locator('[data-flowform]').count()).toBe(0)
    })
  })
})

describe('flowform:* events', () => {
  it('view, submit, success and close bubble out of the shadow root with {form, status} and no personal data', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/element-popup`)
      await flowformReady(page)
      await page.evaluate(() =>
        (window as unknown as { Flowform: { open(id: string): void } }).Flowform.open('welcome'),
      )
      const dialog = page.getByRole('dialog')
      await dialog.getByRole('textbox', { name: /email/i }).fill('events@example.com')
      await dialog.getByRole('textbox', { name: /first name/i }).fill('Evelyn')
      await dialog.getByRole('checkbox', { name: /agree/i }).check()
      await dialog.getByRole('button', { name: 'Sign up' }).click()
      await dialog
        .getByRole('status')
        .filter({ hasText: /thanks/i })
        .waitFor()
      await dialog.getByRole('button', { name: /close/i }).click()
      await expect
        .poll(async () => (await events(page)).map((e) => e.type))
        .toEqual(['view', 'submit', 'success', 'close'])

      const recorded = await events(page)
      for (const event of recorded) {
        expect(event, event.type).toMatchObject({ bubbles: true, composed: true, onHost: true })
      }
      expect(recorded.map((e) => e.detail)).toEqual([
        { form: 'welcome' },
        { form: 'welcome' },
        { form: 'welcome', status: 'enrolled' },
        { form: 'welcome' },
      ])
      const all = JSON.stringify(recorded)
      expect(all).not.toMatch(/events@example\.com|Evelyn|example\.com/i)
    })
  })

  it("error fires with the proxy's error code when a submission fails, and the visitor gets a calm alert", async () => {
    await withPage(async (page) => {
      await page.route('**/v1/forms/welcome/submissions', (route) =>
        route.fulfill({
          status: 503,
          headers: { 'access-control-allow-origin': env.site.url, 'content-type': 'application/json' },
          body: JSON.stringify({
            error: { code: 'upstream_unavailable', message: 'Infobip is down for admin@example.com' },
          }),
        }),
      )
      await page.goto(`${env.site.url}/element`)
      const host = page.locator('[data-flowform="welcome"]')
      await host.getByRole('textbox', { name: /email/i }).fill('fails@example.com')
      await host.getByRole('checkbox', { name: /agree/i }).check()
      await host.getByRole('button', { name: 'Sign up' }).click()
      await host
        .getByRole('alert')
        .filter({ hasText: /something went wrong/i })
        .waitFor()
      await expect.poll(async () => (await events(page)).map((e) => e.type)).toEqual(['view', 'submit', 'error'])
      const error = (await events(page)).at(-1)
      expect(error).toMatchObject({ bubbles: true, composed: true, onHost: true })
      expect(error?.detail).toEqual({ form: 'welcome', code: 'upstream_unavailable' })
      // The form stays, with what the visitor typed, for another try.
      expect(await host.getByRole('textbox', { name: /email/i }).inputValue()).toBe('fails@example.com')
    })
  })

  it('error fires when the form cannot be loaded, with a code and without throwing into the page', async () => {
    await withPage(async (page) => {
      const watch = await watchPage(page)
      await page.goto(`${env.site.url}/missing`)
      const host = page.locator('[data-flowform="no-such-form"]')
      // Cross-origin, the proxy's 404 carries no CORS header, so the widget cannot tell "unknown" from "unreachable".
      await host
        .getByRole('alert')
        .filter({ hasText: /not available|could not be loaded/i })
        .waitFor()
      await expect.poll(async () => (await events(page)).map((e) => e.type)).toEqual(['error'])
      const [error] = await events(page)
      expect(error).toMatchObject({ bubbles: true, composed: true, onHost: true, detail: { form: 'no-such-form' } })
      expect(Object.keys((error?.detail ?? {}) as object).sort()).toEqual(['code', 'form'])
      expect(watch.pageErrors).toEqual([])
    })
  })
})
