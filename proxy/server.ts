import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { ProxyEnv } from './env'
import type { Logger } from './log'
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime'

export interface RunningServer {
  url: string
  runtime: Runtime
  close(): Promise<void>
}

/**
 * Listens first, then builds the runtime, so the demo config's allowed origins can name the port
 * actually bound (PORT=0 picks a free one). Requests that arrive in between get a 503.
 */
export async function startServer(
  options: { env: ProxyEnv; log: Logger } & Omit<RuntimeOptions, 'env' | 'log' | 'publicOrigins'>,
): Promise<RunningServer> {
  let runtime: Runtime | null = null
  const server = createAdaptorServer({
    fetch: (request: Request, env: unknown) =>
      runtime ? runtime.app.fetch(request, env) : new Response('starting', { status: 503, headers: { 'retry-after': '1' } }),
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.env.port, options.env.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.env.host.includes(':') ? `[${options.env.host}]` : options.env.host
  const url = `http://${host}:${port}`
  const publicOrigins = [...new Set([url, `http://localhost:${port}`, `http://127.0.0.1:${port}`])]
  try {
    runtime = createRuntime({ ...options, publicOrigins })
  } catch (error) {
    server.close()
    throw error
  }
  const ready = runtime
  return {
    url,
    runtime: ready,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Keep-alive sockets would hold close() open for seconds.
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      })
      await ready.close()
    },
  }
}
