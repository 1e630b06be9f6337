import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser'
import { watchPage } from '../helpers/page-watch'
import { startProxy } from '../helpers/start-proxy'

/**
 * Every demo page at phone, tablet and desktop widths (light and dark, English and German): the
 * document never scrolls sideways, no two of the widget's controls overlap, a checkbox's label
 * stays beside its box however long it is, and a popup or slide-in sits wholly in the viewport.
 * One browser, one tab per page, resized through the widths: bounded in time.
 */

const WIDTHS = [320, 390, 768, 1280]
const HEIGHT = 800

let browser: Browser
let proxy: Awaited<ReturnType<typeof startProxy>>

beforeAll(async () => {
  ;[browser, proxy] = await Promise.all([launchChromium(), startProxy()])
})
afterAll(async () => {
  await browser?.close()
  await proxy?.close()
})

interface Layout {
  overflow: number
  overlaps: string[]
  dropped: string[]
  outside: string[]
  controls: number
}

/** Measures the page as it is drawn now (in the page: no Node values cross over). */
function measure(): Layout {
  const SELECTOR =
    'input:not([type=hidden]), select, textarea, label, legend, button, h2, img, .error, .alert:not(:empty)'
  const doc = document.documentElement
  const layout: Layout = {
    overflow: doc.scrollWidth - doc.clientWidth,
    overlaps: [],
    dropped: [],
    outside: [],
    controls: 0,
  }
  const name = (el: Element) =>
    `${el.tagName.toLowerCase()}${el.getAttribute('part') ? `[${el.getAttribute('part')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`
  for (const host of document.querySelectorAll('[data-flowform]')) {
    const root = host.shadowRoot
    if (!root) {
      continue
    }
    const items = [...root.querySelectorAll(SELECTOR)]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0)
    layout.controls += items.length
    items.forEach((a, i) => {
      for (const b of items.slice(i + 1)) {
        if (a.el.contains(b.el) || b.el.contains(a.el)) {
          continue
        }
        const x = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left)
        const y = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top)
        if (x > 1 && y > 1) {
          layout.overlaps.push(`${name(a.el)} × ${name(b.el)}`)
        }
      }
    })
    // A box's label beside it, starting on the box's line, however many lines it wraps to.
    for (const row of root.querySelectorAll('.check, .option')) {
      const box = row.querySelector('input')?.getBoundingClientRect()
      const label = row.querySelector('label')?.getBoundingClientRect()
      if (box && label && box.width > 0 && (label.left < box.right || label.top > box.top + box.height / 2)) {
        layout.dropped.push(name(row))
      }
    }
    for (const dialog of root.querySelectorAll('[role=dialog]')) {
      const box = dialog.getBoundingClientRect()
      if (
        box.width > 0 &&
        (box.left < 0 || box.top < 0 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5)
      ) {
        layout.outside.push(`${name(dialog)} at ${box.left},${box.top} ${box.width}×${box.height}`)
      }
    }
  }
  return layout
}

async function openPopup(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open === 'function')
  await page.getByRole('button', { name: /join the club/i }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Sign up' }).waitFor()
}

const PAGES: { path: string; ready: (page: Page) => Promise<void>; dialog?: boolean }[] = [
  { path: '/', ready: async (page) => page.getByRole('button', { name: 'Sign up' }).waitFor() },
  { path: '/popup', ready: openPopup, dialog: true },
  {
    path: '/slide-in',
    ready: async (page) =>
      page.getByRole('dialog').getByRole('button', { name: 'Sign up' }).waitFor({ timeout: 10_000 }),
    dialog: true,
  },
  { path: '/dark', ready: async (page) => page.getByRole('button', { name: 'Sign up' }).waitFor() },
  { path: '/de', ready: async (page) => page.getByRole('button', { name: 'Anmelden' }).waitFor() },
  {
    path: '/two-forms',
    ready: async (page) => {
      await page.locator('[data-flowform="newsletter"]').getByRole('button').last().waitFor()
      await page.locator('[data-flowform="welcome"]').getByRole('button', { name: 'Sign up' }).waitFor()
    },
  },
]

describe('demo pages at every width', () => {
  for (const demo of PAGES) {
    it(`${demo.path}: no sideways scroll, no overlapping controls, labels beside boxes, dialogs in view`, async () => {
      const page = await browser.newPage({ viewport: { width: WIDTHS[0] as number, height: HEIGHT } })
      try {
        const watch = await watchPage(page)
        await page.goto(`${proxy.url}${demo.path}`)
        await demo.ready(page)
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: HEIGHT })
          // Two frames: the resize laid out and painted.
          await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
          const layout = await page.evaluate(measure)
          const at = `${demo.path} at ${width}px`
          expect(layout.overflow, at).toBeLessThanOrEqual(0)
          expect(layout.controls, at).toBeGreaterThan(3)
          expect(layout.overlaps, at).toEqual([])
          expect(layout.dropped, at).toEqual([])
          expect(layout.outside, at).toEqual([])
          if (demo.dialog) {
            expect(await page.getByRole('dialog').isVisible(), at).toBe(true)
          }
        }
        expect(watch.consoleErrors).toEqual([])
      } finally {
        await page.close()
      }
    }, 30_000)
  }
})
