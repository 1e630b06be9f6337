import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousViolations } from '../helpers/axe'
import { inPage, launchChromium } from '../helpers/browser'
import { MOMENTS_CAMPAIGN } from '../helpers/fixture-config'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** Embed options that change what the visitor sees: locale, theme, prefill, UTM capture. */

const LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'hr'] as const

let browser: Browser
let env: ShopAndProxy

/** The shop's own dark look, as demo/dark.html has it: an inline form sits on the page's background. */
const DARK_PAGE = '\n    <style>body { background: #0f1115; color: #e5e7eb; color-scheme: dark; }</style>'

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  const proxy = env.proxy.url
  env.site.serve(
    '/de',
    shopPage({ lang: 'de', title: 'Kaffee', body: embedScript(proxy, 'welcome', { locale: 'de' }) }),
  )
  env.site.serve('/browser-language', shopPage({ body: embedScript(proxy, 'welcome') }))
  env.site.serve(
    '/all-locales',
    shopPage({
      body: LOCALES.map(
        (locale) =>
          `<div id="slot-${locale}"></div>\n${embedScript(proxy, 'welcome', { locale, target: `#slot-${locale}` })}`,
      ).join('\n'),
    }),
  )
  env.site.serve('/dark', shopPage({ head: DARK_PAGE, body: embedScript(proxy, 'welcome', { theme: 'dark' }) }))
  env.site.serve('/auto', shopPage({ body: embedScript(proxy, 'welcome', { theme: 'auto' }) }))
  env.site.serve('/light', shopPage({ body: embedScript(proxy, 'welcome') }))
  env.site.serve(
    '/dark-popup',
    shopPage({ body: embedScript(proxy, 'welcome', { mode: 'popup', trigger: 'manual', theme: 'dark' }) }),
  )
  env.site.serve(
    '/de-popup',
    shopPage({
      lang: 'de',
      title: 'Kaffee',
      body: embedScript(proxy, 'welcome', { mode: 'popup', trigger: 'manual', locale: 'de' }),
    }),
  )
  env.site.serve(
    '/prefill',
    shopPage({
      body: embedScript(proxy, 'welcome', {
        'prefill-email': 'pre@example.com',
        'prefill-firstName': 'Pat',
        'prefill-consent': 'true',
      }),
    }),
  )
  env.site.serve('/utm', shopPage({ body: embedScript(proxy, 'utm') }))
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>, options: BrowserContextOptions = {}): Promise<void> =>
  inPage(browser, run, options)

const host = (page: Page): Locator => page.locator('[data-flowform="welcome"]')

async function openPopup(page: Page): Promise<Locator> {
  await expect
    .poll(() => page.evaluate(() => typeof (window as { Flowform?: { open?: unknown } }).Flowform?.open))
    .toBe('function')
  await page.evaluate(() => (window as unknown as { Flowform: { open(id: string): void } }).Flowform.open('welcome'))
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button').last().waitFor()
  return dialog
}

/** Relative luminance (WCAG) of a computed `rgb(...)` colour: 0 black … 1 white. */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

async function fieldColours(scope: Locator): Promise<{ inputBg: number; inputText: number; label: number }> {
  const input = scope.getByRole('textbox').first()
  await input.waitFor()
  const colours = await input.evaluate((el) => {
    const label =
      el.getRootNode() instanceof ShadowRoot ? (el.getRootNode() as ShadowRoot).querySelector('label') : null
    return {
      inputBg: getComputedStyle(el).backgroundColor,
      inputText: getComputedStyle(el).color,
      label: label ? getComputedStyle(label).color : '',
    }
  })
  return {
    inputBg: luminance(colours.inputBg),
    inputText: luminance(colours.inputText),
    label: luminance(colours.label),
  }
}

describe('locale', () => {
  it('data-locale="de": German labels, button, messages and lang; passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/de`)
      const form = host(page)
      const button = form.getByRole('button', { name: 'Anmelden' })
      await button.waitFor()
      expect(await form.getByRole('textbox', { name: /^E-Mail/ }).count()).toBe(1)
      expect(await form.getByRole('textbox', { name: /^Vorname/ }).count()).toBe(1)
      expect(await form.getByRole('checkbox', { name: /Ich möchte E-Mails erhalten/ }).count()).toBe(1)
      expect(await form.locator('[lang]').first().getAttribute('lang')).toBe('de')
      await expectNoSeriousViolations(page, 'German, initially')

      await button.click()
      const email = form.getByRole('textbox', { name: /^E-Mail/ })
      await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true')
      const errorId = (await email.getAttribute('aria-describedby')) ?? ''
      expect(await form.locator(`[id="${errorId}"]`).textContent()).toBe('Bitte füllen Sie dieses Feld aus.')
      await expectNoSeriousViolations(page, 'German, after a validation error')

      await email.fill('de@example.com')
      await form.getByRole('checkbox').check()
      await button.click()
      await form.getByRole('status').filter({ hasText: 'Danke für Ihre Anmeldung!' }).waitFor()
    })
  })

  it('without data-locale, follows the browser language', async () => {
    await withPage(
      async (page) => {
        await page.goto(`${env.site.url}/browser-language`)
        await host(page).getByRole('button', { name: 'Anmelden' }).waitFor()
        // The German button could come from a German default too: the language must be the browser's.
        expect(await host(page).locator('[lang]').first().getAttribute('lang')).toBe('de')
      },
      { locale: 'de-DE' },
    )
  })

  it('each built-in locale has its own messages, and one page can hold several', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/all-locales`)
      const messages: Record<string, string> = {}
      for (const locale of LOCALES) {
        const form = page.locator(`#slot-${locale} [data-flowform="welcome"]`)
        const button = form.getByRole('button')
        await button.waitFor()
        await button.click()
        const email = form.getByRole('textbox').first()
        await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true')
        const errorId = (await email.getAttribute('aria-describedby')) ?? ''
        messages[locale] = ((await form.locator(`[id="${errorId}"]`).textContent()) ?? '').trim()
        expect(await form.locator('[lang]').first().getAttribute('lang'), locale).toBe(locale)
      }
      expect(messages.en).toBe('Please fill in this field.')
      expect(messages.de).toBe('Bitte füllen Sie dieses Feld aus.')
      expect(new Set(Object.values(messages)).size).toBe(LOCALES.length)
    })
  })

  it('German popup: close button and dialog in German; passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/de-popup`)
      const dialog = await openPopup(page)
      await dialog.getByRole('button', { name: 'Anmelden' }).waitFor()
      const close = dialog.getByRole('button', { name: /schließen/i })
      expect(await close.count()).toBe(1)
      expect(await dialog.getAttribute('lang')).toBe('de')
      await expectNoSeriousViolations(page, 'German popup open')
    })
  })
})

describe('theme', () => {
  it('data-theme="dark": dark fields with light text; passes axe (contrast included) on a dark shop', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/dark`)
      const colours = await fieldColours(host(page))
      expect(colours.inputBg).toBeLessThan(0.1)
      expect(colours.inputText).toBeGreaterThan(0.7)
      expect(colours.label).toBeGreaterThan(0.7)
      await expectNoSeriousViolations(page, 'dark theme, initially')
      await host(page).getByRole('button', { name: 'Sign up' }).click()
      await expect.poll(() => host(page).locator('[aria-invalid="true"]').count()).toBe(2)
      await expectNoSeriousViolations(page, 'dark theme, after a validation error')
    })
  })

  it('the default is light', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/light`)
      const colours = await fieldColours(host(page))
      expect(colours.inputBg).toBeGreaterThan(0.9)
      expect(colours.inputText).toBeLessThan(0.1)
    })
  })

  it('data-theme="auto" follows prefers-color-scheme', async () => {
    await withPage(
      async (page) => {
        await page.goto(`${env.site.url}/auto`)
        expect((await fieldColours(host(page))).inputBg).toBeLessThan(0.1)
        await page.emulateMedia({ colorScheme: 'light' })
        expect((await fieldColours(host(page))).inputBg).toBeGreaterThan(0.9)
      },
      { colorScheme: 'dark' },
    )
  })

  it('dark popup on a light shop: its own dark surface; passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/dark-popup`)
      const dialog = await openPopup(page)
      const surface = await dialog.evaluate((el) => getComputedStyle(el).backgroundColor)
      expect(luminance(surface)).toBeLessThan(0.1)
      expect((await fieldColours(dialog)).label).toBeGreaterThan(0.7)
      await expectNoSeriousViolations(page, 'dark popup open')
    })
  })
})

describe('prefill and UTM capture', () => {
  it('data-prefill-<name> fills visible fields but never ticks the consent box', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/prefill`)
      const form = host(page)
      const email = form.getByRole('textbox', { name: /email/i })
      await email.waitFor()
      await expect.poll(() => email.inputValue()).toBe('pre@example.com')
      expect(await form.getByRole('textbox', { name: /first name/i }).inputValue()).toBe('Pat')
      expect(await form.getByRole('checkbox').isChecked()).toBe(false)
    })
  })

  it('UTM parameters and the page (without its query) reach hidden fields; the query string never leaks', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/utm?utm_source=newsletter&utm_campaign=spring&token=secret123`)
      const form = page.locator('[data-flowform="utm"]')
      await form.getByRole('textbox', { name: /email/i }).fill('utm@example.com')
      const posted = page.waitForRequest(
        (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/forms/utm/submissions',
      )
      await form.getByRole('button').click()
      const body = (await posted).postDataJSON() as {
        values: Record<string, unknown>
        context?: Record<string, unknown>
      }
      expect(body.values).toMatchObject({
        email: 'utm@example.com',
        utm_source: 'newsletter',
        utm_campaign: 'spring',
        page_url: `${env.site.url}/utm`,
      })
      expect(JSON.stringify(body)).not.toContain('secret123')
      await form
        .getByRole('status')
        .filter({ hasText: /thanks/i })
        .waitFor()
      const person = env.fake
        .flowParticipants(MOMENTS_CAMPAIGN)
        .find((p) => p.person.contactInformation?.email?.[0]?.address === 'utm@example.com')?.person
      expect(person?.customAttributes).toMatchObject({ utm_source: 'newsletter', utm_campaign: 'spring' })
    })
  })
})
