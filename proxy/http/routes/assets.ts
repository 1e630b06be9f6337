import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import type { Logger } from '../../common/log'
import { type StaticAsset, serveAsset, staticAsset } from '../bundle'
import { NotFoundError } from '../../common/errors'

/**
 * The policy of the demo pages: what a careful shop sends. The widget must work under it (no
 * inline script or style, no eval), so the demo proves it on every page.
 */
export const DEMO_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** The demo shop: one page per display mode, served under DEMO_CSP. */
export const DEMO_PAGES: Record<string, string> = {
  '/': 'index.html',
  '/popup': 'popup.html',
  '/slide-in': 'slide-in.html',
  '/dark': 'dark.html',
  '/de': 'de.html',
  '/two-forms': 'two-forms.html',
}

/** The demo shop's files by path, read from `<root>demo/`. */
export function demoAssets(root: string): Record<string, StaticAsset> {
  const assets: Record<string, StaticAsset> = {
    '/demo/shop.css': staticAsset(readFileSync(`${root}demo/shop.css`), 'text/css; charset=utf-8'),
    '/demo/demo.js': staticAsset(readFileSync(`${root}demo/demo.js`), 'text/javascript; charset=utf-8'),
    // Same-origin images: the demo's CSP allows `img-src 'self' data:` only.
    '/demo/offer.svg': staticAsset(readFileSync(`${root}demo/offer.svg`), 'image/svg+xml'),
    '/demo/favicon.svg': staticAsset(readFileSync(`${root}demo/favicon.svg`), 'image/svg+xml'),
  }
  for (const [path, file] of Object.entries(DEMO_PAGES)) {
    assets[path] = staticAsset(readFileSync(`${root}demo/${file}`), 'text/html; charset=utf-8')
  }
  return assets
}

/**
 * The bundle's cache policy, shared by its lazy chunks: a deploy reaches every page within minutes,
 * and a page that ran a stale flowform.js finds chunks of (nearly) the same age beside it.
 */
const BUNDLE_CACHE = 'public, max-age=300, stale-while-revalidate=86400'

/** The lazy chunks' names as vite.config.ts writes them: `flowform-<name>.js`, nothing else. */
export const CHUNK_FILE = /^flowform-[a-z0-9-]+\.js$/

/** `GET /flowform.js`, its lazy chunks (`/flowform-<name>.js`) and, with the built-in demo config, the demo shop. */
export function assetsRoute(deps: {
  bundle: () => StaticAsset | null
  /** A lazy chunk by file name (CHUNK_FILE), or null when there is none. */
  chunk?: ((file: string) => StaticAsset | null) | undefined
  demoAssets?: Record<string, StaticAsset> | undefined
  log: Logger
}): Hono {
  const assets = new Hono()
  assets.on(['GET', 'HEAD'], '/flowform.js', (c) => {
    const bundle = deps.bundle()
    if (!bundle) {
      deps.log.error('dist/flowform.js is missing: run "npm run build"')
      throw new NotFoundError('The widget bundle is not built.')
    }
    return serveAsset(bundle, c.req.raw, BUNDLE_CACHE)
  })
  assets.on(['GET', 'HEAD'], '/:file{flowform-[a-z0-9-]+\\.js}', (c) => {
    const file = c.req.param('file')
    const chunk = CHUNK_FILE.test(file) ? deps.chunk?.(file) : null
    if (!chunk) {
      throw new NotFoundError('No such widget file.')
    }
    const response = serveAsset(chunk, c.req.raw, BUNDLE_CACHE)
    // import() from the shop's page is a CORS request (unlike a <script src>); the file is public.
    response.headers.set('access-control-allow-origin', '*')
    return response
  })
  for (const [path, asset] of Object.entries(deps.demoAssets ?? {})) {
    assets.get(path, (c) => {
      const response = serveAsset(asset, c.req.raw, 'no-cache')
      if (asset.contentType.startsWith('text/html')) {
        response.headers.set('content-security-policy', DEMO_CSP)
      }
      return response
    })
  }
  return assets
}
