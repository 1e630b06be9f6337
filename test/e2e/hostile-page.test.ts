import { inflateSync } from 'node:zlib'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inPage, launchChromium } from '../helpers/browser'
import { focused, focusIsInside } from '../helpers/focus'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { watchPage } from '../helpers/page-watch'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/**
 * Shop pages that get in the widget's way, as real ones do: a transformed, clipping header with a
 * popup inside, a cookie bar at the highest z-index, broad CSS rules for divs, keyboard shortcuts,
 * a CSP that wants nonces; and visitors who drag, submit into a failing proxy, or navigate away
 * with the popup open.
 */

let browser: Browser
let env: ShopAndProxy

const VIEWPORT = { width: 1000, height: 700 }

/** A header that traps `position: fixed` (transform) and clips (overflow), and a bar above everything. */
const TRAP_CSS = `
    <style>
      .header { position: relative; z-index: 1; height: 80px; overflow: hidden; transform: translateZ(0); background: #eee; }
      .cookie-bar { position: fixed; left: 0; right: 0; bottom: 0; height: 120px; z-index: 2147483647; background: #333; color: #fff; }
    </style>`

const COOKIE_BAR = '\n    <div class="cookie-bar"><p>We use cookies.</p></div>'

/** `Flowform.open(id)` from a button of the page, as a shop's own script would. */
const OPENER = `<p><button type="button" id="opener">Join the club</button></p>
<script>
  document.getElementById('opener').addEventListener('click', () => window.Flowform.open('welcome'))
</script>`

/** Every `flowform:*` event that reaches the document. */
const RECORD_EVENTS = `<script>
  window.flowformEvents = []
  for (const type of ['view', 'submit', 'success', 'error', 'close']) {
    document.addEventListener('flowform:' + type, () => window.flowformEvents.push(type))
  }
</script>`

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  const proxy = env.proxy.url
  const library = `<script src="${proxy}/flowform.js" async></script>`
  env.site.serve(
    '/trapped-popup',
    shopPage({
      head: TRAP_CSS,
      body: `${OPENER}\n<header class="header"><flowform-signup form="welcome" mode="popup" trigger="manual"></flowform-signup><div id="api-target"></div></header>\n${library}`,
      after: COOKIE_BAR,
    }),
  )
  env.site.serve(
    '/trapped-slide-in',
    shopPage({
      head: TRAP_CSS,
      body: `${OPENER}\n<header class="header"><flowform-signup form="welcome" mode="slide-in" trigger="manual"></flowform-signup></header>\n${library}`,
      after: COOKIE_BAR,
    }),
  )
  env.site.serve(
    '/popup',
    shopPage({
      body: `${RECORD_EVENTS}\n${OPENER}\n<p><a href="#more">More coffee</a></p>\n${embedScript(proxy, 'welcome', { mode: 'popup', trigger: 'manual', 'frequency-days': '7' })}`,
    }),
  )
  env.site.serve(
    '/spa-popup',
    shopPage({
      body: `${RECORD_EVENTS}
<p><button type="button" id="spa-opener">Join the club</button></p>
<div id="app"></div>
${library}
<script>
  document.getElementById('spa-opener').addEventListener('click', () => {
    window.handle = window.handle || window.Flowform.mount(document.getElementById('app'), { form: 'welcome', mode: 'popup', trigger: 'manual' })
    window.handle.open()
  })
</script>`,
    }),
  )
  env.site.serve(
    '/div-rules',
    shopPage({
      // The second rule: a common guard against unstyled web components, which must spare the widget's own tags.
      head: '\n    <style>main div { display: flex; padding: 40px; float: left; width: 30%; } :not(:defined) { display: none; }</style>',
      body: embedScript(proxy, 'welcome'),
    }),
  )
  env.site.serve(
    '/shortcuts',
    shopPage({
      body: `<p><label for="search">Search the shop</label> <input id="search" type="search" /></p>
<script>
  // The usual shortcut: "/" focuses search, unless the visitor is typing in a field.
  document.addEventListener('keydown', (event) => {
    const target = event.target
    if (event.key === '/' && !(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) {
      event.preventDefault()
      document.getElementById('search').focus()
    }
  })
</script>
${embedScript(proxy, 'welcome')}`,
    }),
  )
  env.site.serve('/nonce', {
    body: shopPage({ body: `<flowform-signup form="welcome" nonce="st7le"></flowform-signup>\n${library}` }),
    csp: `default-src 'none'; script-src ${new URL(proxy).origin}; connect-src ${new URL(proxy).origin}; style-src 'self' 'nonce-st7le'`,
  })
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>): Promise<void> => inPage(browser, run, { viewport: VIEWPORT })

async function flowformReady(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open))
    .toBe('function')
}

/** What is drawn at each point: `flowform` for the widget (backdrop, dialog), else the page element's tag and class. */
function hitTest(page: Page, points: Array<[number, number]>): Promise<string[]> {
  return page.evaluate(
    (list) =>
      list.map(([x, y]) => {
        const element = document.elementFromPoint(x, y)
        return element?.closest('[data-flowform]')
          ? 'flowform'
          : `${element?.tagName.toLowerCase()}.${element?.className}`
      }),
    points,
  )
}

const CORNERS: Array<[number, number]> = [
  [5, 5],
  [VIEWPORT.width - 5, 5],
  [5, VIEWPORT.height - 5],
  [VIEWPORT.width - 5, VIEWPORT.height - 5],
  [VIEWPORT.width / 2, VIEWPORT.height - 40],
]

/** The popup's email field, once the dialog is open and the form is drawn. */
async function openPopup(page: Page): Promise<{ dialog: Locator; email: Locator }> {
  await flowformReady(page)
  await page.locator('#opener').click()
  const dialog = page.getByRole('dialog')
  const email = dialog.getByRole('textbox', { name: /email/i })
  await email.waitFor()
  return { dialog, email }
}

describe('the top layer', () => {
  it('a popup from <flowform-signup> inside a transformed, clipping header: the backdrop covers the viewport above a max z-index bar, the dialog is centred', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/trapped-popup`)
      const { dialog } = await openPopup(page)
      expect(await dialog.getAttribute('aria-modal')).toBe('true')
      const box = await dialog.boundingBox()
      expect(box).not.toBeNull()
      if (box) {
        expect(box.width).toBeGreaterThan(400)
        expect(box.y).toBeGreaterThan(0)
        expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height)
        expect(Math.abs(box.x + box.width / 2 - VIEWPORT.width / 2)).toBeLessThan(2)
      }
      // Reproduced before: the backdrop was 1000×80, inside the header, under the cookie bar.
      expect(await hitTest(page, CORNERS)).toEqual(CORNERS.map(() => 'flowform'))
      // Esc closes it, with focus back on the opener.
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)
      expect(await focused(page)).toBe('button "Join the club"')
      expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('')
    })
  })

  it('a popup from Flowform.mount() into that header: the same', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/trapped-popup`)
      await flowformReady(page)
      await page.evaluate(() => {
        const w = window as unknown as { Flowform: { mount(el: Element, o: object): { open(): void } } }
        w.Flowform.mount(document.getElementById('api-target') as Element, {
          form: 'newsletter',
          mode: 'popup',
          trigger: 'manual',
        }).open()
      })
      const dialog = page.getByRole('dialog')
      await dialog.getByRole('button', { name: 'Subscribe' }).waitFor()
      expect(await hitTest(page, CORNERS)).toEqual(CORNERS.map(() => 'flowform'))
    })
  })

  it("a slide-in inside that header: in the viewport's corner, above the bar, and the page stays usable", async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/trapped-slide-in`)
      await flowformReady(page)
      await page.locator('#opener').click()
      const panel = page.getByRole('dialog')
      await panel.getByRole('button', { name: 'Sign up' }).waitFor()
      expect(await panel.getAttribute('aria-modal')).toBe('false')
      // It did not take focus.
      expect(await focused(page)).toBe('button "Join the club"')
      const box = await panel.boundingBox()
      expect(box).not.toBeNull()
      if (box) {
        expect(box.y + box.height).toBeGreaterThan(VIEWPORT.height - 64)
        expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height)
        expect(VIEWPORT.width - (box.x + box.width)).toBeLessThan(64)
        expect(box.height).toBeGreaterThan(200)
        // Drawn over the cookie bar, not under it.
        expect(await hitTest(page, [[box.x + box.width / 2, box.y + box.height - 20]])).toEqual(['flowform'])
      }
      // No backdrop: the page's own button is still there to click.
      expect(await hitTest(page, [[5, 300]])).not.toEqual(['flowform'])
      await panel.getByRole('button', { name: /close/i }).click()
      await expect.poll(() => panel.count()).toBe(0)
    })
  })
})

/** The colour drawn at one point of the viewport, from a 1×1 screenshot. */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 } })
  // The image data is split over IDAT chunks (length, type, data, CRC) after the 8-byte signature.
  const data: Buffer[] = []
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') {
      data.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)))
    }
  }
  // One row of one pixel: a filter byte, then red, green, blue (every PNG filter leaves a lone pixel as it is).
  return [...inflateSync(Buffer.concat(data)).subarray(1, 4)]
}

/** `getComputedStyle(<the popup or slide-in>, '::backdrop').backgroundColor`. */
function backdropColour(dialog: Locator): Promise<string> {
  return dialog.evaluate((box) => getComputedStyle(box, '::backdrop').backgroundColor)
}

describe('the backdrop', () => {
  // Top right: the shop's white page, clear of the header, the cookie bar and the widget.
  const CORNER: [number, number] = [VIEWPORT.width - 5, 5]

  it('the popup dims the page behind it', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/trapped-popup`)
      expect(await pixel(page, ...CORNER)).toEqual([255, 255, 255])
      const { dialog } = await openPopup(page)
      expect(await backdropColour(dialog)).toBe('rgba(0, 0, 0, 0.55)')
      const [r = 0, g = 0, b = 0] = await pixel(page, ...CORNER)
      expect(Math.max(r, g, b)).toBeLessThan(130)
    })
  })

  it('the slide-in does not: it is no modal, and the page must not look blocked', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/trapped-slide-in`)
      await flowformReady(page)
      await page.locator('#opener').click()
      const panel = page.getByRole('dialog')
      await panel.getByRole('button', { name: 'Sign up' }).waitFor()
      // In the top layer, where a ::backdrop exists: it is simply not painted.
      expect(await panel.evaluate((box) => box.matches(':popover-open'))).toBe(true)
      expect(await backdropColour(panel)).toBe('rgba(0, 0, 0, 0)')
      expect(await pixel(page, ...CORNER)).toEqual([255, 255, 255])
    })
  })
})

describe('keyboard and pointer in the popup', () => {
  it('while sending, focus stays on the button; after a failure it moves to the alert, stays in the dialog, and Esc still closes', async () => {
    await withPage(async (page) => {
      let release = (): void => undefined
      const held = new Promise<void>((resolve) => {
        release = resolve
      })
      await page.route('**/v1/forms/welcome/submissions', async (route) => {
        await held
        await route.fulfill({
          status: 503,
          headers: { 'access-control-allow-origin': env.site.url, 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'upstream_unavailable', message: 'down' } }),
        })
      })
      let posts = 0
      page.on('request', (request) => {
        posts += Number(request.method() === 'POST' && request.url().endsWith('/submissions'))
      })
      await page.goto(`${env.site.url}/popup`)
      const { dialog, email } = await openPopup(page)
      await email.fill('fails@example.com')
      await dialog.getByRole('checkbox', { name: /agree/i }).check()
      await dialog.getByRole('button', { name: 'Sign up' }).focus()
      await page.keyboard.press('Enter')
      await dialog.getByRole('button', { name: 'Sending…' }).waitFor()
      // Reproduced before: a disabled button dropped focus to <body>, out of the modal.
      expect(await focused(page)).toBe('button "Sending…"')
      // A second Enter while in flight sends nothing more.
      await page.keyboard.press('Enter')
      release()
      await dialog
        .getByRole('alert')
        .filter({ hasText: /something went wrong/i })
        .waitFor()
      expect(posts).toBe(1)
      await expect.poll(() => focused(page)).toBe('div[role=alert]')
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Tab')
        expect(await focusIsInside(page, '[data-flowform="welcome"]'), `Tab #${i + 1}: ${await focused(page)}`).toBe(
          true,
        )
      }
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)
      expect(await focused(page)).toBe('button "Join the club"')
      expect(await page.evaluate(() => (window as unknown as { flowformEvents: string[] }).flowformEvents)).toEqual([
        'view',
        'submit',
        'error',
        'close',
      ])
    })
  })

  it('a text selection dragged from a field onto the backdrop keeps it open with what was typed; a click on the backdrop closes it', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/popup`)
      const { dialog, email } = await openPopup(page)
      await email.fill('drag.me@example.com')
      const field = await email.boundingBox()
      expect(field).not.toBeNull()
      if (field) {
        // Select the text by dragging from its end out of the dialog, and let go over the backdrop.
        await page.mouse.move(field.x + field.width - 10, field.y + field.height / 2)
        await page.mouse.down()
        await page.mouse.move(field.x + 10, field.y + field.height / 2, { steps: 4 })
        await page.mouse.move(5, 5, { steps: 8 })
        await page.mouse.up()
      }
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
      expect(await dialog.count()).toBe(1)
      expect(await email.inputValue()).toBe('drag.me@example.com')
      expect(await page.evaluate(() => localStorage.getItem('flowform:welcome'))).toBeNull()

      // A real click on the backdrop (press and release on it) closes it, and is remembered.
      await page.mouse.click(5, 5)
      await expect.poll(() => dialog.count()).toBe(0)
      expect(await page.evaluate(() => localStorage.getItem('flowform:welcome'))).not.toBeNull()
      // The form kept its values while closed.
      await page.locator('#opener').click()
      expect(await email.inputValue()).toBe('drag.me@example.com')
    })
  })

  it('unmount() with the popup open: focus goes back to the opener, and flowform:close is sent', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/spa-popup`)
      await flowformReady(page)
      await page.locator('#spa-opener').click()
      const dialog = page.getByRole('dialog')
      const email = dialog.getByRole('textbox', { name: /email/i })
      await email.click()
      expect(await focused(page)).toBe('input[name=email]')
      await page.evaluate(() => (window as unknown as { handle: { unmount(): void } }).handle.unmount())
      expect(await page.locator('[data-flowform]').count()).toBe(0)
      expect(await focused(page)).toBe('button "Join the club"')
      expect(await page.evaluate(() => (window as unknown as { flowformEvents: string[] }).flowformEvents)).toEqual([
        'view',
        'close',
      ])
      expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('')
      // The page is usable again: nothing inert or covering is left behind.
      expect(await hitTest(page, CORNERS)).not.toContain('flowform')
      await page.locator('#spa-opener').click({ timeout: 2_000 })
    })
  })
})

describe("the page's own rules and scripts", () => {
  it('`main div { display: flex; padding: 40px; float: left; width: 30% }` and `:not(:defined) { display: none }` do not reach the form', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/div-rules`)
      const host = page.locator('[data-flowform="welcome"]')
      await host.getByRole('button', { name: 'Sign up' }).waitFor()
      const look = await host.evaluate((el) => {
        const style = getComputedStyle(el)
        const form = el.shadowRoot?.querySelector('form')
        return {
          tag: el.tagName.toLowerCase(),
          display: style.display,
          float: style.cssFloat,
          padding: style.paddingLeft,
          form: form?.getBoundingClientRect().width ?? 0,
        }
      })
      // Reproduced before: the form squashed to 34 px.
      expect(look).toMatchObject({ tag: 'flowform-root', display: 'block', float: 'none', padding: '0px' })
      expect(look.form).toBeGreaterThan(400)
    })
  })

  it("typing into the form does not trigger the page's keyboard shortcuts", async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/shortcuts`)
      const host = page.locator('[data-flowform="welcome"]')
      const name = host.getByRole('textbox', { name: /first name/i })
      await name.click()
      await page.keyboard.type('Ana/Maria')
      // Reproduced before: "/" moved focus to the shop's search box mid-word.
      expect(await name.inputValue()).toBe('Ana/Maria')
      expect(await focused(page)).toBe('input[name=firstName]')
      expect(await page.getByLabel('Search the shop').inputValue()).toBe('')
      // Tab still moves on as usual.
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('input[name=consent]')
    })
  })

  it('<flowform-signup nonce> styles itself under a nonce-only style-src where constructed sheets are missing', async () => {
    await withPage(async (page) => {
      const watch = await watchPage(page)
      // An older browser: no adoptedStyleSheets, so the widget falls back to <style nonce>.
      await page.addInitScript(() => {
        delete (ShadowRoot.prototype as unknown as Record<string, unknown>).adoptedStyleSheets
      })
      await page.goto(`${env.site.url}/nonce`)
      const host = page.locator('[data-flowform="welcome"]')
      const button = host.getByRole('button', { name: 'Sign up' })
      await button.waitFor()
      // Reproduced before: the hidden attribute read as "", the <style> had no nonce and was refused.
      expect(await host.evaluate((el) => el.shadowRoot?.querySelector('style')?.nonce)).toBe('st7le')
      expect(await button.evaluate((el) => getComputedStyle(el.closest('form') as Element).display)).toBe('grid')
      expect(watch.cspViolations).toEqual([])
    })
  })
})
