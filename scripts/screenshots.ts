/**
 * Takes the README's screenshots in real Chromium against the sandbox: `npm run screenshots`.
 * Each shot names a page path and what to do before the picture.
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { launchChromium } from '../test/helpers/browser'
import { startProxy } from '../test/helpers/start-proxy'

interface Shot {
  file: string
  path: string
  width?: number
  height?: number
  /** Default true; false for the viewport only (a popup or slide-in sits on the viewport). */
  fullPage?: boolean
  prepare?: (page: Page) => Promise<void>
}

/** Waits until the widget's email field and submit button are drawn. */
async function formReady(page: Page, button: RegExp | string = 'Sign up'): Promise<void> {
  await page
    .getByRole('textbox', { name: /e-?mail/i })
    .first()
    .waitFor()
  await page.getByRole('button', { name: button }).first().waitFor()
}

async function openPopup(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open === 'function')
  await page.getByRole('button', { name: /join the club/i }).click()
  await page.getByRole('dialog').waitFor()
  await formReady(page)
}

const SHOTS: Shot[] = [
  {
    file: 'demo-shop.png',
    path: '/',
    prepare: async (page) => {
      await page.getByRole('textbox', { name: /email/i }).waitFor()
      await page.locator('[data-flowform]').scrollIntoViewIfNeeded()
    },
  },
  {
    file: 'demo-signed-up.png',
    path: '/',
    prepare: async (page) => {
      await page.getByRole('textbox', { name: /email/i }).fill('ana@example.com')
      await page.getByRole('textbox', { name: /first name/i }).fill('Ana')
      await page.getByRole('checkbox', { name: /agree/i }).check()
      await page.getByRole('button', { name: 'Sign up' }).click()
      await page.getByRole('heading', { name: /on the list/i }).waitFor()
    },
  },
  {
    file: 'demo-popup.png',
    path: '/popup',
    fullPage: false,
    prepare: async (page) => {
      await page.waitForFunction(
        () => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open === 'function',
      )
      await page.getByRole('button', { name: /join the club/i }).click()
      await page.getByRole('dialog').waitFor()
      await formReady(page)
    },
  },
  {
    file: 'demo-slide-in.png',
    path: '/slide-in',
    fullPage: false,
    prepare: async (page) => {
      // The demo's slide-in arrives 2 s after load.
      await page.getByRole('dialog').waitFor({ timeout: 10_000 })
      await formReady(page)
    },
  },
  {
    file: 'demo-dark.png',
    path: '/dark',
    prepare: async (page) => {
      await formReady(page)
      await page.locator('[data-flowform]').scrollIntoViewIfNeeded()
    },
  },
  { file: 'demo-popup-phone.png', path: '/popup', width: 390, height: 844, fullPage: false, prepare: openPopup },
  {
    file: 'demo-signed-up-phone.png',
    path: '/',
    width: 390,
    height: 844,
    prepare: async (page) => {
      await page.getByRole('textbox', { name: /email/i }).fill('ben@example.com')
      await page.getByRole('checkbox', { name: /agree/i }).check()
      await page.getByRole('button', { name: 'Sign up' }).click()
      await page.getByRole('heading', { name: /on the list/i }).waitFor()
    },
  },
  {
    file: 'demo-de.png',
    path: '/de',
    prepare: async (page) => {
      await formReady(page, 'Anmelden')
      await page.locator('[data-flowform]').scrollIntoViewIfNeeded()
    },
  },
]

async function main(): Promise<void> {
  const out = new URL('../docs/screenshots/', import.meta.url).pathname
  mkdirSync(out, { recursive: true })
  const proxy = await startProxy()
  const browser = await launchChromium()
  try {
    for (const shot of SHOTS) {
      const page = await browser.newPage({ viewport: { width: shot.width ?? 1100, height: shot.height ?? 900 } })
      await page.goto(`${proxy.url}${shot.path}`)
      await shot.prepare?.(page)
      await page.screenshot({ path: `${out}${shot.file}`, fullPage: shot.fullPage ?? true, animations: 'disabled' })
      await page.close()
      console.info(`wrote docs/screenshots/${shot.file}`)
    }
  } finally {
    await browser.close()
    await proxy.close()
  }
}

await main()
