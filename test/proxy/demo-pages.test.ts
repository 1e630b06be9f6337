import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_CSP, DEMO_PAGES } from '../../proxy/http/routes/assets'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

let proxy: TestProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const PAGES = Object.entries(DEMO_PAGES)

describe('demo pages', () => {
  it('serves a page per display mode', () => {
    expect(Object.keys(DEMO_PAGES).sort()).toEqual(['/', '/dark', '/de', '/popup', '/slide-in', '/two-forms'])
  })

  it.each(PAGES)('%s is HTML under the strict CSP', async (path) => {
    proxy = await createTestProxy()
    const res = await proxy.request(path, { origin: null })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    expect(DEMO_CSP).toBe(res.headers.get('content-security-policy'))
    expect(await res.text()).toContain('src="/flowform.js"')
  })

  it.each(PAGES)('%s has no inline script, style or event handler (the CSP would block them)', (_, file) => {
    const html = readFileSync(`demo/${file}`, 'utf8')
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
      expect(tag).toMatch(/\bsrc="\/(flowform|demo\/demo)\.js"/)
    }
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/)
    expect(html).not.toMatch(/<style\b/)
    expect(html).not.toMatch(/\sstyle=/)
    expect(html).not.toMatch(/\son[a-z]+=/)
    expect(html).not.toMatch(/javascript:/)
  })

  it('pages carry the embed options they are about', () => {
    const read = (file: string) => readFileSync(`demo/${file}`, 'utf8')
    expect(read('popup.html')).toMatch(/data-form="welcome" data-mode="popup" data-trigger="exit"/)
    expect(read('popup.html')).toMatch(/data-open-form="welcome">Join the club</)
    expect(read('slide-in.html')).toMatch(/data-mode="slide-in" data-trigger="delay" data-delay="2"/)
    expect(read('dark.html')).toMatch(/data-theme="dark"/)
    expect(read('de.html')).toMatch(/<html lang="de">[\s\S]*data-locale="de"/)
    expect(read('two-forms.html')).toMatch(/data-form="welcome"[\s\S]*data-form="newsletter"/)
    // The inline demo stays as the end-to-end tests know it.
    expect(read('index.html')).toContain('<script src="/flowform.js" data-form="welcome" async></script>')
  })

  it('serves the demo script and stylesheet without a page policy', async () => {
    proxy = await createTestProxy()
    const js = await proxy.request('/demo/demo.js', { origin: null })
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toContain('Flowform?.open?.(')
    const css = await proxy.request('/demo/shop.css', { origin: SHOP })
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(css.headers.get('content-security-policy')).toBeNull()
  })

  it('serves the offer image and the favicon from its own origin (the pages allow img-src self)', async () => {
    proxy = await createTestProxy()
    for (const path of ['/demo/offer.svg', '/demo/favicon.svg']) {
      const image = await proxy.request(path, { origin: null })
      expect(image.status).toBe(200)
      expect(image.headers.get('content-type')).toBe('image/svg+xml')
    }
    for (const file of ['index.html', 'popup.html', 'slide-in.html', 'dark.html', 'de.html', 'two-forms.html']) {
      expect(readFileSync(`demo/${file}`, 'utf8')).toContain('<link rel="icon" href="/demo/favicon.svg"')
    }
  })

  it('serves no demo with a config file of its own', async () => {
    proxy = await createTestProxy({
      config: {
        forms: [
          {
            id: 'x',
            allowedOrigins: [SHOP],
            fields: [{ name: 'email', type: 'email' }],
            flow: { api: 'moments', campaignId: '200000000000001' },
          },
        ],
      },
    })
    expect((await proxy.request('/popup', { origin: null })).status).toBe(404)
  })
})
