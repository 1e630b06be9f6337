import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { DEFAULTS } from './config/defaults'
import type { ProxyEnv } from './config/env'
import type { Logger } from './common/log'
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime'
import { removeSandboxLink, writeSandboxLink } from './upstreams/sandbox-link'

/** How long a client may take to send its request; tests shorten them. */
export interface ServerTimeouts {
  requestTimeoutMs: number
  headersTimeoutMs: number
}

export interface RunningServer {
  url: string
  runtime: Runtime
  /** Waits up to `graceMs` for requests in progress, then closes the rest and the runtime. */
  close(graceMs?: number): Promise<void>
}

/**
 * Listens first, then builds the runtime, so the demo config's allowed origins can name the port
 * actually bound (PORT=0 picks a free one). Requests that arrive in between get a 503.
 */
export async function startServer(
  options: { env: ProxyEnv; log: Logger; timeouts?: ServerTimeouts } & Omit<
    RuntimeOptions,
    'env' | 'log' | 'publicOrigins'
  >,
): Promise<RunningServer> {
  let runtime: Runtime | null = null
  const timeouts = options.timeouts ?? {
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    headersTimeoutMs: DEFAULTS.headersTimeoutMs,
  }
  const server = createAdaptorServer({
    fetch: (request: Request, env: unknown) =>
      runtime
        ? runtime.app.fetch(request, env)
        : new Response('starting', {
            status: 503,
            headers: { 'retry-after': '1', 'x-content-type-options': 'nosniff' },
          }),
    // Node's defaults wait 300 s for a request: one client trickling a byte every few seconds
    // could hold a connection (and, with many, the process) for five minutes. The timeouts are
    // enforced on a timer, so it runs every second instead of every 30.
    serverOptions: {
      requestTimeout: timeouts.requestTimeoutMs,
      headersTimeout: Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs),
      connectionsCheckingInterval: 1_000,
    },
  })
  // Beyond this many open connections new ones are closed at once, before any request is read.
  server.maxConnections = options.env.maxConnections ?? DEFAULTS.maxConnections
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.env.port, options.env.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.env.host.includes(':') ? `[${options.env.host}]` : options.env.host
  const url = `http://${host}:${port}`
  const publicOrigins = [...new Set([url, `http://localhost:${port}`, `http://127.0.0.1:${port}`])]
  try {
    runtime = await createRuntime({ ...options, publicOrigins })
  } catch (error) {
    server.close()
    throw error
  }
  const ready = runtime
  const sandboxToken = ready.sandboxToken
  if (sandboxToken) {
    // So that the operator CLI, in sandbox mode, acts on this sandbox's fakes (upstreams/sandbox-link.ts).
    const wildcard = options.env.host === '0.0.0.0' || options.env.host === '::'
    const local = wildcard ? `http://127.0.0.1:${port}` : url
    writeSandboxLink(options.env.dataDir, { url: local, pid: process.pid, token: sandboxToken })
  }
  return {
    url,
    runtime: ready,
    async close(graceMs = 10_000) {
      // Stop accepting, let signups in progress get their answer, then cut what is left.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const sockets = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void }
      sockets.closeIdleConnections?.()
      let timer: ReturnType<typeof setTimeout> | undefined
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs)
      })
      await Promise.race([closed, grace])
      clearTimeout(timer)
      sockets.closeAllConnections?.()
      await closed
      if (sandboxToken) {
        removeSandboxLink(options.env.dataDir, sandboxToken)
      }
      await ready.close()
    },
  }
}
