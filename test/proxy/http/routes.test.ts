// The routes on their own, without the app's middleware: each does its one job.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { staticAsset } from '../../../proxy/http/bundle'
import { notFound, onError } from '../../../proxy/http/error-response'
import { UpstreamError } from '../../../proxy/common/errors'
import { assetsRoute, DEMO_CSP } from '../../../proxy/http/routes/assets'
import { healthRoute } from '../../../proxy/http/routes/health'
import { inProcessHook } from '../../../proxy/http/routes/moments-hook'
import { viewDropCounter } from '../../../proxy/http/routes/views'
import { createMemoryLogger } from '../../../proxy/common/log'

describe('healthRoute', () => {
  it('says which mode answers', async () => {
    const res = await healthRoute('sandbox').request('/healthz')
    expect(await res.json()).toEqual({ status: 'ok', mode: 'sandbox' })
  })
})

describe('assetsRoute', () => {
  const page = staticAsset(Buffer.from('<!doctype html>'), 'text/html; charset=utf-8')
  const css = staticAsset(Buffer.from('body{}'), 'text/css; charset=utf-8')

  it('serves the demo pages under the strict CSP, other demo files without it', async () => {
    const memory = createMemoryLogger()
    const assets = assetsRoute({
      bundle: () => null,
      demoAssets: { '/': page, '/demo/shop.css': css },
      log: memory.log,
    })
    expect((await assets.request('/')).headers.get('content-security-policy')).toBe(DEMO_CSP)
    expect((await assets.request('/demo/shop.css')).headers.get('content-security-policy')).toBeNull()
  })

  it('answers 404 and tells the operator when the bundle is not built', async () => {
    const memory = createMemoryLogger()
    const app = new Hono().route('/', assetsRoute({ bundle: () => null, log: memory.log }))
    app.onError(onError(memory.log))
    const res = await app.request('/flowform.js')
    expect(res.status).toBe(404)
    expect(memory.text()).toContain('dist/flowform.js is missing')
  })

  it('serves the lazy chunks beside the bundle, importable from any page, and nothing else by that pattern', async () => {
    const memory = createMemoryLogger()
    const chunk = staticAsset(Buffer.from('export{}'), 'text/javascript; charset=utf-8')
    const asked: string[] = []
    const app = new Hono().route(
      '/',
      assetsRoute({
        bundle: () => null,
        chunk: (file) => {
          asked.push(file)
          return file === 'flowform-challenge.js' ? chunk : null
        },
        log: memory.log,
      }),
    )
    app.onError(onError(memory.log))
    const res = await app.request('/flowform-challenge.js', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=86400')
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect((await app.request('/flowform-other.js')).status).toBe(404)
    expect((await app.request('/flowform-..%2Fsecret.js')).status).toBe(404)
    expect((await app.request('/flowform-X.js')).status).toBe(404)
    expect(asked).toEqual(['flowform-challenge.js', 'flowform-other.js'])
  })
})

describe('onError and notFound', () => {
  it('let the requesting origin read an error under /v1/forms/, and only there', async () => {
    const memory = createMemoryLogger()
    const app = new Hono()
    app.onError(onError(memory.log))
    app.notFound(notFound(memory.log))
    app.get('*', () => {
      throw new UpstreamError({ upstream: 'infobip', reason: 'down' })
    })
    const forms = await app.request('/v1/forms/x', { headers: { origin: 'https://a.example' } })
    expect(forms.status).toBe(503)
    expect(forms.headers.get('access-control-allow-origin')).toBe('https://a.example')
    const other = await app.request('/elsewhere', { headers: { origin: 'https://a.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    expect(memory.text()).toContain('upstream failure')
  })
})

describe('inProcessHook', () => {
  it('drops posts until connected, then hands them to the handler as JSON requests', async () => {
    const hook = inProcessHook()
    await hook.post('http://proxy.test/v1/hooks/moments-report', { a: 1 })
    const seen: [string, unknown][] = []
    hook.connect(async (request) => {
      seen.push([new URL(request.url).pathname, await request.json()])
      return new Response(null, { status: 204 })
    })
    await hook.post('http://proxy.test/v1/hooks/moments-report', { b: 2 })
    expect(seen).toEqual([['/v1/hooks/moments-report', { b: 2 }]])
  })
})

describe('viewDropCounter', () => {
  it('logs the first drop at once and the rest of the interval as one line', async () => {
    const memory = createMemoryLogger()
    const counter = viewDropCounter(memory.log, 20)
    counter.count('welcome')
    counter.count('welcome')
    counter.count('welcome', 'down')
    await expect
      .poll(() =>
        memory
          .lines()
          .filter((l) => l.msg === 'view count not forwarded')
          .map((l) => l.dropped),
      )
      .toEqual([1, 2])
  })
})
