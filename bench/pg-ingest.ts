// Ingestion on PostgreSQL (issue 10 item 8): signups/s and p50/p99 latency of
// `POST /v1/forms/:id/submissions` in instant mode, 32 and 256 keep-alive connections in a closed
// loop for 5 s each, against one proxy process on FLOWFORM_DATABASE_URL (ingress only:
// FLOWFORM_WORKER=off, so what is measured is validate + group-committed INSERT + answer), beside
// a raw node:http server that only answers 202, in the same run. Prints the ratio and peak RSS.
//
//   npx tsx bench/pg-ingest.ts [seconds=5]
import { join } from 'node:path'
import pg from 'pg'
import { startInstance, stopInstance } from '../test/helpers/instances'
import { closedLoop, fmt, type LoadResult } from './load'
import { benchDatabase } from './pg-database'
import { rmSync } from 'node:fs'
import { benchDir, SHOP, writeSignupConfig } from './lib'

const seconds = Number(process.argv[2] ?? 5)
const dir = benchDir('flowform-bench-ingest-')
const db = await benchDatabase()
const config = writeSignupConfig(dir, {
  fields: [
    { name: 'email', type: 'email', required: true, label: 'Email' },
    { name: 'consent', type: 'checkbox', required: true, label: 'I agree' },
  ],
  flow: { api: 'moments', campaignId: '200000000000001' },
})

const raw = await startInstance({}, 'bench/raw-http-server.ts')
const proxy = await startInstance({
  FLOWFORM_DATABASE_URL: db.url,
  FLOWFORM_WORKER: 'off',
  FLOWFORM_CONFIG: config,
  FLOWFORM_DATA_DIR: join(dir, 'data'),
  FLOWFORM_SUBMISSIONS_PER_MINUTE: '100000',
  LOG_LEVEL: 'warn',
})
const body = (i: number) =>
  JSON.stringify({ values: { email: `shopper${i}-${Math.random()}@example.com`, consent: true } })
const run = (url: string, connections: number, durationMs: number): Promise<LoadResult> =>
  closedLoop({ url, connections, durationMs, body, headers: { origin: SHOP } })

const rows: string[][] = []
let accepted = 0
try {
  for (const connections of [32, 256]) {
    const submissions = `${proxy.url}/v1/forms/signup/submissions`
    await run(`${raw.url}/`, connections, 1_000)
    const baseline = await run(`${raw.url}/`, connections, seconds * 1_000)
    await run(submissions, connections, 1_000)
    const measured = await run(submissions, connections, seconds * 1_000)
    accepted += measured.statuses[202] ?? 0
    const other = Object.entries(measured.statuses).filter(([status]) => status !== '202')
    rows.push([
      String(connections),
      `${fmt(baseline.perSecond)} /s, ${fmt(baseline.p50, 1)} / ${fmt(baseline.p99, 1)} ms`,
      `${fmt(measured.perSecond)} /s, ${fmt(measured.p50, 1)} / ${fmt(measured.p99, 1)} ms`,
      `${fmt(measured.perSecond / baseline.perSecond, 3)}`,
      other.length ? other.map(([s, n]) => `${n}× ${s}`).join(', ') : 'all 202',
    ])
  }
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const { rows: stored } = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM flowform_deliveries')
  await client.end()
  console.log(`Ingestion, instant mode, PostgreSQL (${db.url.replace(/\/\/[^@]*@/, '//')}), ${seconds} s per run`)
  console.log(
    '| connections | raw node:http (req/s, p50 / p99) | proxy on PostgreSQL (signups/s, p50 / p99) | ratio | answers |',
  )
  console.log('| --- | --- | --- | --- | --- |')
  for (const row of rows) {
    console.log(`| ${row.join(' | ')} |`)
  }
  console.log(
    `Stored rows: ${fmt(stored[0]?.n ?? 0)} (warm-up runs included); measured 202 answers: ${fmt(accepted)}. Peak RSS: proxy ${fmt(proxy.peakRss() / 2 ** 20)} MB, raw server ${fmt(raw.peakRss() / 2 ** 20)} MB.`,
  )
} finally {
  await stopInstance(proxy)
  await stopInstance(raw)
  await db.drop()
  rmSync(dir, { recursive: true, force: true })
}
