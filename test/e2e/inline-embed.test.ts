import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { focused } from '../helpers/focus'
import { LEGACY_CAMPAIGN, MOMENTS_CAMPAIGN } from '../helpers/fixture-config'
import { embedScript, shopPage, strictCsp } from '../helpers/fixture-site'
import { launchChromium } from '../helpers/browser'
import { watchPage } from '../helpers/page-watch'
import { enrolledEmails, type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** The inline embed on a shop of its own origin: keyboard only, under a strict CSP, two forms on a page. */

let browser: Browser
let env: ShopAndProxy

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

async function newPage(): Promise<Page> {
  const context = await browser.newContext()
  return context.newPage()
}

async function closePage(page: Page): Promise<void> {
  await page.context().close()
}

/** Waits until a live region says something, and returns it. */
async function announced(region: Locator): Promise<string> {
  await expect.poll(async () => ((await region.textContent()) ?? '').trim(), { timeout: 10_000 }).not.toBe('')
  return ((await region.textContent()) ?? '').trim()
}

describe('inline embed on a second origin', () => {
  it('signs up with the keyboard alone: Tab to each field, Space on the checkbox and the button, Enter to send', async () => {
    env.site.serve(
      '/keyboard',
      shopPage({ body: `<a href="/keyboard#top">Shop home</a>\n${embedScript(env.proxy.url, 'welcome')}` }),
    )
    const page = await newPage()
    try {
      await page.goto(`${env.site.url}/keyboard`)
      const host = page.locator('[data-flowform="welcome"]')
      await host.getByRole('textbox', { name: /email/i }).waitFor()

      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('a "Shop home"')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('input[name=email]')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('input[name=firstName]')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('input[name=consent]')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('button "Sign up"')

      // Space on the button with nothing filled in: the messages appear and focus goes to the first invalid field.
      await page.keyboard.press('Space')
      const email = host.getByRole('textbox', { name: /email/i })
      await expect.poll(() => focused(page)).toBe('input[name=email]')
      expect(await email.getAttribute('aria-invalid')).toBe('true')
      const errorId = await email.getAttribute('aria-describedby')
      expect(errorId).toBeTruthy()
      expect(await host.locator(`[id="${errorId}"]`).textContent()).toMatch(/fill in|email/i)

      await page.keyboard.type('kim@example.com')
      await page.keyboard.press('Tab')
      await page.keyboard.type('Kim')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('input[name=consent]')
      await page.keyboard.press('Space')
      expect(await host.getByRole('checkbox', { name: /agree/i }).isChecked()).toBe(true)
      await page.keyboard.press('Tab')
      expect(await focused(page)).toBe('button "Sign up"')
      await page.keyboard.press('Enter')

      expect(await announced(host.getByRole('status'))).toMatch(/thanks for signing up/i)
      // The form is gone; focus must not fall back to the page's body. It goes to the heading
      // that replaced the form, not the live region, which would be read twice; and after a
      // keyboard submit it draws no focus box around that text.
      expect(await focused(page)).toBe('h2 "You\'re on the list!"')
      expect(
        await page.evaluate(() => {
          const active = document.querySelector('[data-flowform]')?.shadowRoot?.activeElement
          return active ? getComputedStyle(active).outlineStyle : 'nothing focused'
        }),
      ).toBe('none')
      const enrolled = env.fake
        .flowParticipants(MOMENTS_CAMPAIGN)
        .find((p) => p.person.contactInformation?.email?.[0]?.address === 'kim@example.com')
      expect(enrolled?.person.firstName).toBe('Kim')
      expect(enrolled?.person.customAttributes).toMatchObject({ consent: true })
    } finally {
      await closePage(page)
    }
  })

  it('works under a strict CSP: no violations, styled by its own sheet, themed by the shop, signup goes through', async () => {
    env.site.serve('/theme.css', {
      body: ':root { --flowform-accent: #7c2d12; --flowform-accent-text: #ffffff; }',
      contentType: 'text/css; charset=utf-8',
    })
    env.site.serve('/strict', {
      body: shopPage({
        head: '\n    <link rel="stylesheet" href="/theme.css" />',
        body: embedScript(env.proxy.url, 'welcome'),
      }),
      csp: strictCsp(env.proxy.url),
    })
    const page = await newPage()
    const watch = await watchPage(page)
    try {
      const response = await page.goto(`${env.site.url}/strict`)
      expect(response?.headers()['content-security-policy']).toContain('script-src http://127.0.0.1:')
      const host = page.locator('[data-flowform="welcome"]')
      const button = host.getByRole('button', { name: 'Sign up' })
      await button.waitFor()

      const look = await button.evaluate((el) => {
        const style = getComputedStyle(el)
        const form = el.closest('form')
        return {
          background: style.backgroundColor,
          color: style.color,
          formDisplay: form ? getComputedStyle(form).display : '',
        }
      })
      // The shop's --flowform-accent reaches into the shadow root, and the widget's own grid layout applies.
      expect(look).toEqual({ background: 'rgb(124, 45, 18)', color: 'rgb(255, 255, 255)', formDisplay: 'grid' })

      await host.getByRole('textbox', { name: /email/i }).fill('csp@example.com')
      await host.getByRole('checkbox', { name: /agree/i }).check()
      await button.click()
      expect(await announced(host.getByRole('status'))).toMatch(/thanks for signing up/i)
      expect(enrolledEmails(env.fake, MOMENTS_CAMPAIGN)).toContain('csp@example.com')

      expect(watch.cspViolations).toEqual([])
      expect(watch.consoleErrors.filter((m) => /content security policy|refused/i.test(m))).toEqual([])
      expect(watch.pageErrors).toEqual([])
    } finally {
      await closePage(page)
    }
  })

  it('the CSP watch itself notices a violation (so the test above can fail)', async () => {
    env.site.serve('/strict-broken', {
      body: shopPage({
        body: `${embedScript(env.proxy.url, 'welcome')}\n<img src="${env.proxy.url}/nothing.png" alt="" />`,
      }),
      csp: strictCsp(env.proxy.url),
    })
    const page = await newPage()
    const watch = await watchPage(page)
    try {
      await page.goto(`${env.site.url}/strict-broken`)
      await expect.poll(() => watch.cspViolations.map((v) => v.directive)).toContain('img-src')
    } finally {
      await closePage(page)
    }
  })

  it('two forms on one page: both render, ids do not collide, each submits to its own form', async () => {
    env.site.serve(
      '/two-forms',
      shopPage({
        body: [
          '<section aria-label="Welcome"><div id="welcome-slot"></div></section>',
          '<section aria-label="Newsletter"><div id="newsletter-slot"></div></section>',
          embedScript(env.proxy.url, 'welcome', { target: '#welcome-slot' }),
          embedScript(env.proxy.url, 'newsletter', { target: '#newsletter-slot' }),
        ].join('\n'),
      }),
    )
    const page = await newPage()
    try {
      await page.goto(`${env.site.url}/two-forms`)
      const welcome = page.locator('#welcome-slot [data-flowform="welcome"]')
      const newsletter = page.locator('#newsletter-slot [data-flowform="newsletter"]')
      await welcome.getByRole('button', { name: 'Sign up' }).waitFor()
      await newsletter.getByRole('button', { name: 'Subscribe' }).waitFor()
      expect(await page.locator('[data-flowform]').count()).toBe(2)

      const ids = await page.evaluate(() => {
        const all: string[] = [...document.querySelectorAll('[id]')].map((el) => el.id)
        const unresolved: string[] = []
        for (const host of document.querySelectorAll('[data-flowform]')) {
          const root = host.shadowRoot
          for (const el of root?.querySelectorAll('[id]') ?? []) {
            all.push(el.id)
          }
          // Every label must name a control in its own root.
          for (const label of root?.querySelectorAll('label[for]') ?? []) {
            const target = label.getAttribute('for') ?? ''
            if (!root?.getElementById(target)) {
              unresolved.push(target)
            }
          }
        }
        return { all, unresolved }
      })
      expect(ids.all.length).toBeGreaterThan(6)
      expect(ids.all.filter((id, index) => ids.all.indexOf(id) !== index)).toEqual([])
      expect(ids.unresolved).toEqual([])

      await welcome.getByRole('textbox', { name: /^email/i }).fill('two-a@example.com')
      await welcome.getByRole('checkbox', { name: /agree/i }).check()
      await welcome.getByRole('button', { name: 'Sign up' }).click()
      expect(await announced(welcome.getByRole('status'))).toMatch(/thanks/i)
      expect(((await newsletter.getByRole('status').textContent()) ?? '').trim()).toBe('')
      // The newsletter form is untouched by the other's submit.
      expect(await newsletter.getByRole('button', { name: 'Subscribe' }).isVisible()).toBe(true)

      await newsletter.getByRole('textbox', { name: /newsletter email/i }).fill('two-b@example.com')
      await newsletter.getByRole('textbox', { name: /last name/i }).fill('Bee')
      await newsletter.getByRole('button', { name: 'Subscribe' }).click()
      expect(await announced(newsletter.getByRole('status'))).toMatch(/thanks/i)

      const moments = enrolledEmails(env.fake, MOMENTS_CAMPAIGN)
      const legacy = env.fake.flowParticipants(LEGACY_CAMPAIGN)
      expect(moments).toContain('two-a@example.com')
      expect(moments).not.toContain('two-b@example.com')
      expect(
        legacy.map((p) => [p.via, p.person.lastName, JSON.stringify(p.person).includes('two-b@example.com')]),
      ).toEqual([['legacy', 'Bee', true]])
    } finally {
      await closePage(page)
    }
  })

  it('on an origin the form does not allow: a calm alert, and the console names the origin and the form', async () => {
    env.site.serve('/other-origin', shopPage({ body: embedScript(env.proxy.url, 'welcome') }))
    // The same shop by another name: localhost is not the 127.0.0.1 that allowedOrigins lists.
    const origin = env.site.url.replace('127.0.0.1', 'localhost')
    const page = await newPage()
    try {
      const watch = await watchPage(page)
      await page.goto(`${origin}/other-origin`)
      const alert = page.locator('[data-flowform="welcome"]').getByRole('alert')
      await alert.filter({ hasText: 'The form could not be loaded.' }).waitFor()
      await expect
        .poll(() => watch.consoleErrors.filter((m) => m.startsWith('[flowform]')))
        .toEqual([`[flowform] This page's origin (${origin}) is not in allowedOrigins of form "welcome".`])
    } finally {
      await closePage(page)
    }
  })
})
