import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'

export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>
  gzip: Uint8Array<ArrayBuffer>
  brotli: Uint8Array<ArrayBuffer>
  etag: string
  contentType: string
}

/** Compresses once at start: the bundle is served to every page view of every shop. */
export function staticAsset(body: Uint8Array, contentType: string): StaticAsset {
  return {
    body: new Uint8Array(body),
    gzip: new Uint8Array(gzipSync(body, { level: 9 })),
    brotli: new Uint8Array(brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    contentType,
  }
}

export function readBundle(file: string): StaticAsset | null {
  try {
    return staticAsset(readFileSync(file), 'text/javascript; charset=utf-8')
  } catch {
    return null
  }
}

/** Picks the best encoding the client accepts; answers 304 for a matching ETag. */
export function serveAsset(asset: StaticAsset, request: Request, cacheControl: string): Response {
  const headers = new Headers({
    'content-type': asset.contentType,
    'cache-control': cacheControl,
    etag: asset.etag,
    vary: 'accept-encoding',
    // Shops with cross-origin isolation (COEP) must still be able to load the script.
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  })
  const ifNoneMatch = request.headers.get('if-none-match')
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === asset.etag)) {
    return new Response(null, { status: 304, headers })
  }
  const accept = request.headers.get('accept-encoding') ?? ''
  let body = asset.body
  if (/\bbr\b/.test(accept)) {
    headers.set('content-encoding', 'br')
    body = asset.brotli
  } else if (/\bgzip\b/.test(accept)) {
    headers.set('content-encoding', 'gzip')
    body = asset.gzip
  }
  headers.set('content-length', String(body.byteLength))
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers })
}
