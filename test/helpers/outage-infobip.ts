// The Infobip fake on a real loopback port, with an outage that can be switched on and off: a
// proxy started as a child process (live mode, INFOBIP_BASE_URL pointing here) meets real sockets
// that answer 503, are reset, or hang. Counts every enrolment Infobip accepted, per email, so a
// test can say "exactly once".
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createInfobipFake } from '../../fakes/infobip-fake'

export type Outage = 'none' | '503' | 'reset' | 'hang'

export interface OutageInfobip {
  url: string
  /** Switches the outage; 'none' heals, and closes the connections that hung meanwhile. */
  set(outage: Outage): void
  /** Accepted enrolments (legacy add participant answered 2xx), per email. */
  accepted: Map<string, number>
  /** Calls that reached the server, per outage at the time. */
  calls: Record<Outage, number>
  close(): Promise<void>
}

const ADD = /^\/communication\/1\/flows\/[^/]+\/participants$/

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function startOutageInfobip(): Promise<OutageInfobip> {
  const fake = createInfobipFake({ onError: () => {} })
  let outage: Outage = 'none'
  const hung = new Set<Socket>()
  const accepted = new Map<string, number>()
  const calls: Record<Outage, number> = { none: 0, '503': 0, reset: 0, hang: 0 }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    calls[outage]++
    switch (outage) {
      case '503':
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
        res.end(JSON.stringify({ requestError: { serviceException: { messageId: '5', text: 'down' } } }))
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'hang':
        hung.add(req.socket)
        return
      case 'none':
        break
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') {
        headers.set(name, value)
      }
    }
    const method = req.method ?? 'GET'
    const response = await fake.fetch(
      new Request(`http://127.0.0.1${req.url ?? '/'}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      }),
    )
    const text = Buffer.from(await response.arrayBuffer())
    const path = (req.url ?? '').split('?')[0] ?? ''
    if (method === 'POST' && ADD.test(path) && response.ok) {
      const email = /[\w.+-]+@example\.com/.exec(body.toString('utf8'))?.[0] ?? '?'
      accepted.set(email, (accepted.get(email) ?? 0) + 1)
    }
    res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' })
    res.end(text)
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    calls,
    set(next) {
      outage = next
      if (next === 'none') {
        // An upstream that comes back drops what it held open (a restart does).
        for (const socket of hung) {
          socket.destroy()
        }
        hung.clear()
      }
    },
    async close() {
      for (const socket of hung) {
        socket.destroy()
      }
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
