import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for a shop: a tiny static server on its own loopback port, so the page and the proxy
 * are two origins as on a real site. Tests write the pages (with the script tag pointing at the
 * proxy) and may send a Content-Security-Policy with them.
 */

export interface FixturePage {
  body: string
  /** Default: HTML. */
  contentType?: string
  /** Sent as the Content-Security-Policy header. */
  csp?: string
  headers?: Record<string, string>
}

export interface FixtureSite {
  /** `http://127.0.0.1:<port>`: also the origin to allow in the proxy's config. */
  url: string
  /** Serves `page` at `path` (replacing what was there); a string is an HTML page. */
  serve(path: string, page: FixturePage | string): void
  /** Paths requested so far, in order (query strings included). */
  readonly requested: string[]
  close(): Promise<void>
}

/** A plain stylesheet served at /shop.css, so `style-src 'self'` has something of the shop's own to allow. */
export const SHOP_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1f2937; background: #fff; }
main { max-width: 44rem; margin: 0 auto; padding: 2rem 1rem 4rem; }
.tall { min-height: 150vh; }
`

/**
 * The shop's own script at /shop.js (a page under a strict CSP cannot have inline ones): buttons
 * with `data-open="<form id>"` call `Flowform.open`, `data-close` calls `Flowform.close`.
 */
export const SHOP_JS = `
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-open], [data-close]') : null
  if (!button) return
  const open = button.getAttribute('data-open')
  if (open) window.Flowform.open(open)
  else window.Flowform.close(button.getAttribute('data-close'))
})
`

export async function startFixtureSite(pages: Record<string, FixturePage | string> = {}): Promise<FixtureSite> {
  const routes = new Map<string, FixturePage>()
  const requested: string[] = []
  const serve = (path: string, page: FixturePage | string) => {
    routes.set(path, typeof page === 'string' ? { body: page } : page)
  }
  for (const [path, page] of Object.entries(pages)) {
    serve(path, page)
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fixture.local')
    requested.push(url.pathname + url.search)
    if (url.pathname === '/shop.css' || url.pathname === '/shop.js') {
      const css = url.pathname === '/shop.css'
      res.writeHead(200, {
        'content-type': `text/${css ? 'css' : 'javascript'}; charset=utf-8`,
        'cache-control': 'no-store',
      })
      res.end(css ? SHOP_CSS : SHOP_JS)
      return
    }
    const page = routes.get(url.pathname)
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': page.contentType ?? 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(page.csp ? { 'content-security-policy': page.csp } : {}),
      ...page.headers,
    })
    res.end(page.body)
  }

  const server = createServer(handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    serve,
    requested,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export interface ShopPageOptions {
  /** Everything inside <main>: headings, script tags, targets. */
  body: string
  /** Markup after </main>, before </body>. */
  after?: string
  title?: string
  lang?: string
  /** Extra markup at the end of <head>. */
  head?: string
}

/** A minimal, valid and accessible shop page around `body`, with the shop's own stylesheet. */
export function shopPage({
  body,
  after = '',
  title = 'Fixture shop',
  lang = 'en',
  head = '',
}: ShopPageOptions): string {
  return `<!doctype html>
<html lang="${lang}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="/shop.css" />${head}
  </head>
  <body>
    <main>
      <h1>${title}</h1>
${body}
    </main>${after}
  </body>
</html>
`
}

/** `<script src="<proxy>/flowform.js" data-form="…" data-…>`; attributes are given without the `data-` prefix. */
export function embedScript(proxyUrl: string, form: string, data: Record<string, string> = {}): string {
  const attributes = Object.entries(data)
    .map(([name, value]) => ` data-${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join('')
  return `<script src="${proxyUrl}/flowform.js" data-form="${form}"${attributes} async></script>`
}

/**
 * The strict policy a careful shop sends: only the proxy may run scripts and be called.
 * `shopScripts` also allows the shop's own script files (/shop.js), never inline ones.
 */
export function strictCsp(proxyUrl: string, { shopScripts = false }: { shopScripts?: boolean } = {}): string {
  const proxy = new URL(proxyUrl).origin
  const scripts = shopScripts ? `'self' ${proxy}` : proxy
  return `default-src 'none'; script-src ${scripts}; connect-src ${proxy}; style-src 'self'; img-src 'self'`
}
