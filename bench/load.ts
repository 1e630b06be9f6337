// A closed-loop HTTP load generator for the benchmarks: `connections` keep-alive connections, each
// sending its next request as soon as the last one is answered, for `durationMs`. Written here
// (a few lines over node:http) because no load-testing package is installed.
import { Agent, request } from 'node:http'

export interface LoadResult {
  requests: number
  perSecond: number
  p50: number
  p99: number
  /** Answers by status code. */
  statuses: Record<number, number>
}

export async function closedLoop(options: {
  url: string
  connections: number
  durationMs: number
  body: (i: number) => string
  headers?: Record<string, string>
}): Promise<LoadResult> {
  const target = new URL(options.url)
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections })
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  let i = 0
  const started = performance.now()
  const until = started + options.durationMs
  const one = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const body = options.body(n)
      const t0 = performance.now()
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...options.headers,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            latencies.push(performance.now() - t0)
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1
            resolve()
          })
        },
      )
      req.on('error', () => {
        statuses[0] = (statuses[0] ?? 0) + 1
        resolve()
      })
      req.end(body)
    })
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < until) {
        await one(i++)
      }
    }),
  )
  const elapsed = performance.now() - started
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return {
    requests: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    statuses,
  }
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}
