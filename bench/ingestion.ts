// Ingestion (issue 10 item 8): how many signups per second the proxy takes with instant
// confirmation on the embedded store (synchronous=FULL, group commit), closed loop over real HTTP
// with 32 and 256 keep-alive connections, beside a raw node:http server answering the same 202 in
// the same run. The servers run as child processes (one core for the server, one for this load
// generator on a 2-core machine); peak RSS is the child's VmHWM. A second baseline is hono itself
// (CORS and a JSON body, nothing stored): the ceiling of the web-standard app on this machine. After each proxy run the outbox is
// counted: every 202 must be a stored signup. Targets (issue 10): >= 5,000 signups/s, p99 <= 20 ms.
//
//   npx tsx bench/ingestion.ts [seconds per run = 5]
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { SANDBOX_SEED } from '../fakes/infobip-fake'
import { benchDir, cleanEnv, freePort, SHOP, writeSignupConfig } from './lib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SECONDS = Number(process.argv[2] ?? 5)
const WARMUP_MS = 1_000

const RAW_SERVER = `
const http = require('node:http')
http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' })
    res.end('{"status":"queued"}')
  })
}).listen(Number(process.env.PORT), '127.0.0.1')
`

// The framework's own ceiling: hono on @hono/node-server with CORS and a JSON body, nothing stored.
// What flowform adds on top of it is what flowform can still cut; what it costs beside raw node:http
// is the price of the web-standard app the contract asks for.
const HONO_SERVER = `
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { serve } from '@hono/node-server'
const app = new Hono()
app.use('/v1/forms/:id/*', cors({ origin: (origin) => origin }))
app.post('/v1/forms/:id/submissions', async (c) => {
  await c.req.json()
  return c.json({ status: 'queued' }, 202)
})
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
`

interface Served {
  child: ChildProcess
  url: string
  path: string
  stop(): Promise<void>
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(500) })
    return true
  } catch {
    return false
  }
}

async function start(args: string[], env: Record<string, string>, path: string): Promise<Served> {
  const port = await freePort()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  while (!(await answers(`${url}/healthz`))) {
    if (Date.now() > deadline) {
      throw new Error(`server did not start: ${args.join(' ')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    url,
    path,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kb / 1024)
}

interface Result {
  perSecond: number
  p50: number
  p99: number
  statuses: Record<number, number>
  accepted: number
}

/** Closed loop: each connection sends its next signup when the last one was answered. */
async function load(served: Served, connections: number, seconds: number, offset: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  let sequence = offset
  const started = performance.now()
  const measureFrom = started + WARMUP_MS
  const end = measureFrom + seconds * 1_000
  let accepted = 0
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const i = sequence++
      const body = JSON.stringify({ values: { email: `shopper${i}@example.com`, consent: true } })
      const sent = performance.now()
      const req = request(
        `${served.url}${served.path}`,
        {
          method: 'POST',
          agent,
          headers: {
            origin: SHOP,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            // A different visitor each time (TRUST_PROXY=loopback): the per-address limit is not what is measured.
            'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            const done = performance.now()
            if (res.statusCode === 202) {
              accepted++
            }
            if (sent >= measureFrom && done <= end) {
              latencies.push(done - sent)
              statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1
            }
            resolve()
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        await one()
      }
    }),
  )
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), statuses, accepted }
}

function flowformEnv(dir: string): Record<string, string> {
  const configPath = writeSignupConfig(dir, {
    confirmation: 'instant',
    fields: [
      { name: 'email', type: 'email', required: true },
      { name: 'consent', type: 'checkbox', required: true, label: 'I agree' },
    ],
    flow: { api: 'moments', campaignId: SANDBOX_SEED.momentsCampaignId },
  })
  return {
    ...cleanEnv(),
    HOST: '127.0.0.1',
    FLOWFORM_CONFIG: configPath,
    FLOWFORM_DATA_DIR: join(dir, 'data'),
    TRUST_PROXY: 'loopback',
    FLOWFORM_MAX_CONNECTIONS: '10000',
    LOG_LEVEL: 'warn',
  }
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })

async function main(): Promise<void> {
  console.info(
    `Ingestion, instant confirmation, embedded store (fsync + group commit): ${SECONDS} s per run after ${WARMUP_MS} ms warm-up`,
  )
  console.info('| connections | server | signups/s | p50 ms | p99 ms | answers | peak RSS | stored |')
  console.info('| --- | --- | --- | --- | --- | --- | --- | --- |')
  const verdicts: string[] = []
  for (const connections of [32, 256]) {
    const raw = await start(['-e', RAW_SERVER], {}, '/v1/forms/signup/submissions')
    const rawResult = await load(raw, connections, SECONDS, 0)
    const rawRss = peakRssMb(raw.child.pid)
    await raw.stop()
    console.info(
      `| ${connections} | raw node:http (baseline) | ${fmt(rawResult.perSecond, 0)} | ${fmt(rawResult.p50, 2)} | ${fmt(rawResult.p99, 2)} | ${JSON.stringify(rawResult.statuses)} | ${rawRss} MB | - |`,
    )
    const hono = await start(['--input-type=module', '-e', HONO_SERVER], {}, '/v1/forms/signup/submissions')
    const honoResult = await load(hono, connections, SECONDS, 0)
    const honoRss = peakRssMb(hono.child.pid)
    await hono.stop()
    console.info(
      `| ${connections} | hono + CORS + JSON, nothing stored (baseline) | ${fmt(honoResult.perSecond, 0)} | ${fmt(honoResult.p50, 2)} | ${fmt(honoResult.p99, 2)} | ${JSON.stringify(honoResult.statuses)} | ${honoRss} MB | - |`,
    )
    const dir = benchDir('flowform-ingest-')
    try {
      const proxy = await start(['--import', 'tsx', 'proxy/main.ts'], flowformEnv(dir), '/v1/forms/signup/submissions')
      const result = await load(proxy, connections, SECONDS, 0)
      const rss = peakRssMb(proxy.child.pid)
      await proxy.stop()
      const db = new Database(join(dir, 'data', 'outbox.db'), { readonly: true })
      const stored = db.prepare('SELECT COUNT(DISTINCT submission_id) FROM deliveries').pluck().get() as number
      db.close()
      console.info(
        `| ${connections} | flowform | ${fmt(result.perSecond, 0)} | ${fmt(result.p50, 2)} | ${fmt(result.p99, 2)} | ${JSON.stringify(result.statuses)} | ${rss} MB | ${stored} of ${result.accepted} answered 202 |`,
      )
      const met = result.perSecond >= 5_000 && result.p99 <= 20
      verdicts.push(
        `${connections} connections: flowform/raw = ${fmt(result.perSecond / rawResult.perSecond, 3)}, ` +
          `flowform/hono alone = ${fmt(result.perSecond / honoResult.perSecond, 3)} of the throughput; ` +
          `target >= 5,000/s and p99 <= 20 ms ${met ? 'met' : 'MISSED'}; every 202 stored: ${stored >= result.accepted ? 'yes' : 'NO'}`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  for (const line of verdicts) {
    console.info(line)
  }
}

await main()
