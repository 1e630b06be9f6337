import { get } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inPage, launchChromium } from '../helpers/browser'
import { embedScript, shopPage } from '../helpers/fixture-site'
import { watchPage } from '../helpers/page-watch'
import { type ShopAndProxy, startShopAndProxy } from '../helpers/shop-and-proxy'

/** How the bundle and the API reach a shop on another origin: compression, caching, CORS. */

let browser: Browser
let env: ShopAndProxy

beforeAll(async () => {
  ;[browser, env] = await Promise.all([launchChromium(), startShopAndProxy()])
})
afterAll(async () => {
  await browser?.close()
  await env?.close()
})

const withPage = (run: (page: Page) => Promise<void>): Promise<void> => inPage(browser, run)

/** A GET that keeps the bytes as they came over the wire (fetch would decode them). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** The API path a request went to, whatever its query (`?locale=`, ...). */
const apiPath = (url: string): string => new URL(url).pathname

describe('bundle delivery', () => {
  it('serves the bundle compressed, with an ETag, and answers a revalidation with 304', async () => {
    env.site.serve('/bundle', shopPage({ body: embedScript(env.proxy.url, 'welcome') }))
    await withPage(async (page) => {
      const bundleUrl = `${env.proxy.url}/flowform.js`
      const first = page.waitForResponse(bundleUrl)
      await page.goto(`${env.site.url}/bundle`)
      const response = await first
      const headers = await response.allHeaders()
      expect(response.status()).toBe(200)
      expect(headers['content-encoding']).toBe('br')
      expect(headers['content-type']).toMatch(/^text\/javascript; charset=utf-8/)
      expect(headers.etag).toMatch(/^"[\w-]{10,}"$/)
      expect(headers['cache-control']).toMatch(/max-age=\d+/)
      // The compressed bytes on the wire are much smaller than the script they decode to.
      const decoded = await response.body()
      const wireLength = Number(headers['content-length'])
      expect(wireLength).toBeGreaterThan(0)
      expect(wireLength).toBeLessThan(decoded.byteLength * 0.6)
      await page.locator('[data-flowform="welcome"]').getByRole('button', { name: 'Sign up' }).waitFor()

      // A revalidation from the page (cache: 'no-cache') sends the ETag back and gets a 304. The
      // bundle has no CORS headers (a script tag needs none), so the page asks in no-cors mode.
      // Chromium reports a revalidated response as 200 from cache; the wire status comes from DevTools.
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Network.enable')
      const wireStatuses: number[] = []
      cdp.on('Network.responseReceivedExtraInfo', (event) => wireStatuses.push(event.statusCode))
      const revalidation = page.waitForRequest((r) => r.url() === bundleUrl && r.resourceType() === 'fetch')
      await page.evaluate(async (url) => {
        await fetch(url, { cache: 'no-cache', mode: 'no-cors' })
      }, bundleUrl)
      const request = await revalidation
      expect((await request.allHeaders())['if-none-match']).toBe(headers.etag)
      await request.response()
      await expect.poll(() => wireStatuses).toEqual([304])
    })

    // The same from outside the browser, byte for byte: every encoding decodes to the same script.
    const url = `${env.proxy.url}/flowform.js`
    const identity = await rawGet(url, { 'accept-encoding': 'identity' })
    const br = await rawGet(url, { 'accept-encoding': 'br' })
    const gzip = await rawGet(url, { 'accept-encoding': 'gzip' })
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(identity.body.byteLength).toBeGreaterThan(1_000)
    expect(br.headers['content-encoding']).toBe('br')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true)
    expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true)
    expect(new Set([identity.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(1)
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    const notModified = await rawGet(url, { 'accept-encoding': 'br', 'if-none-match': String(identity.headers.etag) })
    expect(notModified.status).toBe(304)
    expect(notModified.body.byteLength).toBe(0)
  })
})

describe('cross-origin API', () => {
  it('answers the allowed shop origin with CORS headers for the definition and the submission', async () => {
    env.site.serve('/cors', shopPage({ body: embedScript(env.proxy.url, 'welcome') }))
    await withPage(async (page) => {
      const definition = page.waitForResponse(
        (r) => apiPath(r.url()) === '/v1/forms/welcome' && r.request().method() === 'GET',
      )
      await page.goto(`${env.site.url}/cors`)
      const got = await definition
      expect(got.status()).toBe(200)
      expect(await got.headerValue('access-control-allow-origin')).toBe(env.site.url)

      const host = page.locator('[data-flowform="welcome"]')
      await host.getByRole('textbox', { name: /email/i }).fill('cors@example.com')
      await host.getByRole('checkbox', { name: /agree/i }).check()
      const submission = page.waitForResponse(
        (r) => apiPath(r.url()) === '/v1/forms/welcome/submissions' && r.request().method() === 'POST',
      )
      await host.getByRole('button', { name: 'Sign up' }).click()
      const posted = await submission
      expect(posted.status()).toBe(200)
      expect(await posted.headerValue('access-control-allow-origin')).toBe(env.site.url)
      expect(await posted.request().headerValue('origin')).toBe(env.site.url)
      await host
        .getByRole('status')
        .filter({ hasText: /thanks/i })
        .waitFor()
    })
  })

  it('shows a calm alert, and nothing breaks, when the form does not allow this shop (403)', async () => {
    env.site.serve(
      '/not-allowed',
      shopPage({ body: `<p id="own">The shop's own content.</p>\n${embedScript(env.proxy.url, 'elsewhere')}` }),
    )
    await withPage(async (page) => {
      const watch = await watchPage(page)
      const definition = page.waitForResponse((r) => apiPath(r.url()) === '/v1/forms/elsewhere')
      await page.goto(`${env.site.url}/not-allowed`)
      // The refusal is readable by the shop (it carries no data), so the widget knows why.
      const refused = await definition
      expect(refused.status()).toBe(403)
      const again = await fetch(`${env.proxy.url}/v1/forms/elsewhere`, { headers: { origin: env.site.url } })
      expect(again.headers.get('access-control-allow-origin')).toBe(env.site.url)
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed')

      const host = page.locator('[data-flowform="elsewhere"]')
      const alert = host.getByRole('alert')
      await expect.poll(async () => ((await alert.textContent()) ?? '').trim(), { timeout: 10_000 }).not.toBe('')
      const text = ((await alert.textContent()) ?? '').trim()
      expect(text).toMatch(/could not be loaded|not available/i)
      // Calm: nothing technical for the visitor.
      expect(text).not.toMatch(/403|cors|origin|forbidden|error:/i)
      expect(await host.getByRole('textbox').count()).toBe(0)
      expect(await host.getByRole('button').count()).toBe(0)
      expect(await page.locator('#own').textContent()).toBe("The shop's own content.")
      expect(watch.pageErrors).toEqual([])
    })
  })
})
