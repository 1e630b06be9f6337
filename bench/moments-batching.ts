// Pushes N signups through the whole proxy (HTTP API in-process → outbox → Moments → reports)
// against the in-process Infobip fake, throttled like a real account (10 requests per second), and
// compares batching with the old one-call-per-participant gateway measured in the same run.
//
//   npx tsx bench/moments-batching.ts [N=5000] [baselineN=50]
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../proxy/common/log'
import { createRuntime, type Runtime } from '../proxy/runtime'
import { infobipFakeOf } from '../fakes/infobip-fake'
import { maxInRollingWindow } from '../test/helpers/rate-window'
import { benchDir, SHOP, writeSignupConfig } from './lib'

const CAMPAIGN = '200000000000001'
const RATE = 10
const REPORT_DELAY_MS = 300
const WAIT_MS = 3_000

interface RunResult {
  label: string
  signups: number
  seconds: number
  answered: Record<string, number>
  latencies: number[]
  adds: number
  reports: number
  upstream: number
  tooMany: number
  maxPerSecond: number
  rssPeakMb: number
  enrolled: number
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

async function run(label: string, signups: number, batching: boolean): Promise<RunResult> {
  const dir = benchDir('flowform-bench-')
  const configPath = writeSignupConfig(dir, {
    fields: [
      { name: 'email', type: 'email', required: true, label: 'Email' },
      { name: 'firstName', type: 'text', label: 'First name' },
    ],
    flow: { api: 'moments', campaignId: CAMPAIGN },
  })
  const runtime: Runtime = await createRuntime({
    env: { port: 0, host: '127.0.0.1', configPath, dataDir: join(dir, 'data'), infobip: null, rapidpro: null },
    log: createLogger({ level: 'silent' }),
    publicOrigins: [SHOP],
    waitMs: WAIT_MS,
    workerIntervalMs: 250,
    rateLimits: { submissionsPerMinute: 1e9, viewsPerMinute: 1e9 },
    sandbox: { rateLimitPerSecond: RATE, reportDelayMs: REPORT_DELAY_MS },
    moments: { batching },
    // The old gateway queues far more calls than a request may wait for; let them queue.
    limiter: { perSecond: RATE, maxQueueMs: 600_000 },
  })
  try {
    return await measure(label, signups, runtime)
  } finally {
    await runtime.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function measure(label: string, signups: number, runtime: Runtime): Promise<RunResult> {
  let rssPeak = process.memoryUsage().rss
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  }, 100)
  const answered: Record<string, number> = {}
  const latencies: number[] = []
  const started = performance.now()
  const requests: Promise<void>[] = []
  // Arrivals spread over about one second, in ten waves.
  const waves = 10
  for (let wave = 0; wave < waves; wave += 1) {
    for (let i = wave; i < signups; i += waves) {
      const sent = performance.now()
      const request = new Request('http://proxy.bench/v1/forms/signup/submissions', {
        method: 'POST',
        headers: { origin: SHOP, 'content-type': 'application/json' },
        body: JSON.stringify({ values: { email: `shopper${i}@example.com`, firstName: `S${i}` } }),
      })
      requests.push(
        Promise.resolve(runtime.app.fetch(request)).then(async (res) => {
          const body = (await res.json()) as { status?: string; error?: { code: string } }
          const key = `${res.status} ${body.status ?? body.error?.code}`
          answered[key] = (answered[key] ?? 0) + 1
          latencies.push(performance.now() - sent)
        }),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000 / waves))
  }
  await Promise.all(requests)
  // Then wait for the outbox worker to finish what was queued.
  for (;;) {
    const counts = runtime.outbox.counts()
    if (counts.pending + counts.awaiting === 0) {
      break
    }
    if (performance.now() - started > 600_000) {
      console.error(`${label}: gave up waiting for the outbox`, counts)
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const fake = infobipFakeOf(runtime.fake)
  const calls = fake?.requests ?? []
  const result: RunResult = {
    label,
    signups,
    seconds,
    answered,
    latencies: latencies.sort((a, b) => a - b),
    adds: calls.filter((c) => c.method === 'POST' && c.path.endsWith('/participants')).length,
    reports: calls.filter((c) => c.path.endsWith('/report')).length,
    upstream: calls.length,
    tooMany: calls.filter((c) => c.status === 429).length,
    maxPerSecond: maxInRollingWindow(calls.map((c) => c.at)),
    rssPeakMb: rssPeak / 1024 / 1024,
    enrolled: fake?.flowParticipants(CAMPAIGN).length ?? 0,
  }
  return result
}

function print(r: RunResult): void {
  const ms = (v: number) => `${Math.round(v)} ms`
  console.info(
    [
      `${r.label}: ${r.signups} signups, all delivered in ${r.seconds.toFixed(1)} s → ${(r.signups / r.seconds).toFixed(1)} signups/s`,
      `  answers: ${Object.entries(r.answered)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')}; in the flow: ${r.enrolled}`,
      `  upstream requests: ${r.upstream} (add ${r.adds}, report ${r.reports}); 429s: ${r.tooMany}; most in any second: ${r.maxPerSecond}`,
      `  request latency: p50 ${ms(percentile(r.latencies, 50))}, p95 ${ms(percentile(r.latencies, 95))}, max ${ms(r.latencies.at(-1) ?? 0)}`,
      `  RSS peak: ${r.rssPeakMb.toFixed(0)} MB`,
    ].join('\n'),
  )
}

const n = Number(process.argv[2] ?? 5_000)
const baselineN = Number(process.argv[3] ?? 50)
console.info(
  `Moments batching benchmark: account limit ${RATE}/s, report delay ${REPORT_DELAY_MS} ms, request wait ${WAIT_MS} ms\n`,
)
const baseline = await run('baseline (one call + own polling per participant)', baselineN, false)
print(baseline)
const batched = await run('batched (this change)', n, true)
print(batched)
const scale = n / baselineN
const baselineSeconds = baseline.seconds * scale
console.info(
  [
    '',
    `baseline extrapolated to ${n} signups: ~${(baselineSeconds / 60).toFixed(1)} min and ~${Math.round(baseline.upstream * scale)} upstream requests`,
    `batched: ${batched.seconds.toFixed(1)} s and ${batched.upstream} upstream requests → ${(baselineSeconds / batched.seconds).toFixed(0)}× faster, ${(
      (baseline.upstream * scale) /
      batched.upstream
    ).toFixed(0)}× fewer requests`,
  ].join('\n'),
)
