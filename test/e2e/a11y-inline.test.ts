import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations, expectNoSeriousViolations } from '../helpers/axe'
import { inPage, launchChromium } from '../helpers/browser'
import { MOMENTS_CAMPAIGN } from '../helpers/fixture-config'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** axe-core on the inline form in each state a visitor sees: empty, with errors, signed up. */

let browser: Browser
let env: ShopAndProxy

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
  env.site.serve('/welcome', shopPage({ body: embedScript(env.proxy.url, 'welcome') }))
  env.site.serve('/every-field', shopPage({ body: embedScript(env.proxy.url, 'every-field') }))
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>): Promise<void> => inPage(browser, run)

async function statusText(host: Locator): Promise<string> {
  await expect
    .poll(async () => ((await host.getByRole('status').textContent()) ?? '').trim(), { timeout: 10_000 })
    .not.toBe('')
  return ((await host.getByRole('status').textContent()) ?? '').trim()
}

describe('axe-core on the inline form', () => {
  it('finds a problem inside an open shadow root (so a clean result means something)', async () => {
    await withPage(async (page) => {
      await page.setContent(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main><div id="host"></div></main></body></html>',
      )
      await page.evaluate(() => {
        const root = document.querySelector('#host')?.attachShadow({ mode: 'open' })
        if (root) {
          root.innerHTML = '<form><input type="email" name="email"></form>'
        }
      })
      const violations = await axeViolations(page)
      const label = violations.find((v) => v.id === 'label')
      expect(label?.impact).toBe('critical')
      expect(label?.nodes[0]?.target).toBe('#host >>> input')
    })
  })

  it('welcome form: no serious or critical violations initially, after a validation error, after success', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/welcome`)
      const host = page.locator('[data-flowform="welcome"]')
      const button = host.getByRole('button', { name: 'Sign up' })
      await button.waitFor()
      await expectNoSeriousViolations(page, 'initially')

      await button.click()
      await expect.poll(() => host.locator('[aria-invalid="true"]').count()).toBe(2)
      await expectNoSeriousViolations(page, 'after a validation error')

      await host.getByRole('textbox', { name: /email/i }).fill('axe@example.com')
      await host.getByRole('checkbox', { name: /agree/i }).check()
      await button.click()
      expect(await statusText(host)).toMatch(/thanks/i)
      await expectNoSeriousViolations(page, 'after success')
    })
  })

  it('a field of every type: renders each, passes axe in all three states, and delivers every value', async () => {
    await withPage(async (page) => {
      await page.goto(`${env.site.url}/every-field`)
      const host = page.locator('[data-flowform="every-field"]')
      const button = host.getByRole('button', { name: 'Join' })
      await button.waitFor()
      const names = await host.evaluate((el) =>
        [...(el.shadowRoot?.querySelectorAll('[name]') ?? [])].map(
          (input) => `${input.tagName.toLowerCase()}:${input.getAttribute('name')}`,
        ),
      )
      expect([...new Set(names)]).toEqual([
        'input:email',
        'input:phone',
        'input:firstName',
        'textarea:note',
        'input:cups',
        'input:birthDate',
        'select:roast',
        'input:grind',
        'input:consent',
        'input:source',
      ])
      await expectNoSeriousViolations(page, 'initially (every field type)')

      await host.getByRole('textbox', { name: /first name/i }).fill('Ana')
      await button.click()
      // email, roast and consent are required and empty.
      await expect.poll(() => host.locator('[aria-invalid="true"]').count()).toBe(3)
      await expectNoSeriousViolations(page, 'after a validation error (every field type)')

      await host.getByRole('textbox', { name: /^email/i }).fill('every@example.com')
      await host.getByRole('textbox', { name: /mobile phone/i }).fill('+385 91 234 5678')
      await host.getByRole('textbox', { name: /anything we should know/i }).fill('Oat milk, please.')
      await host.getByRole('spinbutton', { name: /cups a day/i }).fill('3')
      await host.getByLabel(/birthday/i).fill('1990-05-01')
      await host.getByRole('combobox', { name: /favourite roast/i }).selectOption('Medium')
      await host.getByRole('radio', { name: 'Ground' }).check()
      await host.getByRole('checkbox', { name: /agree/i }).check()
      await button.click()
      expect(await statusText(host)).toMatch(/thanks/i)
      await expectNoSeriousViolations(page, 'after success (every field type)')

      const person = env.fake
        .flowParticipants(MOMENTS_CAMPAIGN)
        .find((p) => p.person.contactInformation?.email?.[0]?.address === 'every@example.com')?.person
      expect(person?.firstName).toBe('Ana')
      expect(person?.birthDate).toBe('1990-05-01')
      expect(person?.contactInformation?.phone?.[0]?.number).toBe('385912345678')
      expect(person?.customAttributes).toMatchObject({
        note: 'Oat milk, please.',
        cups: '3',
        roast: 'Medium',
        grind: 'ground',
        consent: true,
        source: 'fixture-shop',
      })
    })
  })
})
