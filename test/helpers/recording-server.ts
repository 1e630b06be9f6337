// A real loopback HTTP server that records exactly what arrived on the socket, then answers
// through a web-standard handler. Lets tests check what the proxy really sends upstream.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  /** Pathname only. */
  path: string
  query: URLSearchParams
  /** Every header, names lowercased; repeated headers joined with ', ' (set-cookie with '; '). */
  headers: Record<string, string>
  /** Raw body text ('' when none). */
  body: string
  /** Parsed body when the content type is JSON and it parses; otherwise undefined. */
  json: unknown
  /** Absolute URL as the handler saw it. */
  url: string
}

export type RecordingHandler = (req: Request) => Promise<Response> | Response

export interface RecordingServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:53121`. */
  url: string
  requests: RecordedRequest[]
  /** Resolves once at least `count` requests were recorded (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>
  close(): Promise<void>
}

// Connection-level headers describe this socket, not the request the handler should see.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length'])

const defaultHandler: RecordingHandler = () => Response.json({})

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function parseJson(contentType: string | undefined, text: string): unknown {
  if (!/\bjson\b/i.test(contentType ?? '') || text === '') {
    return undefined
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    // The body below is already decoded and complete, so its framing headers are recomputed.
    if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') {
      headers[name] = value
    }
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies
  }
  const body = Buffer.from(await response.arrayBuffer())
  headers['content-length'] = String(body.length)
  res.writeHead(response.status, headers)
  res.end(body)
}

export async function startRecordingServer(handler: RecordingHandler = defaultHandler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const waiters = new Set<() => void>()
  let base = ''

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req)
      const url = new URL(req.url ?? '/', base)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '; ' : ', ') : value
        }
      }
      const body = raw.toString('utf8')
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: new URLSearchParams(url.search),
        headers,
        body,
        json: parseJson(headers['content-type'], body),
        url: url.toString(),
      })
      for (const wake of waiters) {
        wake()
      }
      const method = req.method ?? 'GET'
      const forwarded = new Headers()
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] ?? ''
        if (!HOP_BY_HOP.has(name.toLowerCase())) {
          forwarded.append(name, req.rawHeaders[i + 1] ?? '')
        }
      }
      const init: RequestInit = { method, headers: forwarded }
      if (method !== 'GET' && method !== 'HEAD') {
        init.body = new Uint8Array(raw)
      }
      let response: Response
      try {
        response = await handler(new Request(url, init))
      } catch (error) {
        response = Response.json({ error: String(error) }, { status: 500 })
      }
      await writeResponse(res, response)
    })().catch((error: unknown) => {
      // Reached only when the socket itself failed; nothing useful can be answered.
      res.destroy(error instanceof Error ? error : new Error(String(error)))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  base = `http://127.0.0.1:${port}`

  return {
    url: base,
    requests,
    waitForRequests(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(requests)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`Expected ${count} requests, got ${requests.length} within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close() {
      return new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
    },
  }
}
