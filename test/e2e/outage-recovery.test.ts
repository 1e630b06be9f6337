// Issue 12 "Tests and proof": the real proxy as a child process (live mode) against a loopback
// Infobip whose outage can be switched: during a 503, a connection-reset and a hanging outage,
// people sign up, the proxy is killed with -9 and started again on the same data directory, then
// Infobip heals. Every accepted signup must be delivered exactly once within 10 s of the heal
// (embedded store; on PostgreSQL within 15 s, another instance taking over): the claims of the killed process are released at the start, the breaker's
// first successful probe wakes everything waiting.
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { type Outage, type OutageInfobip, startOutageInfobip } from '../helpers/outage-infobip'
import { freshDatabase } from '../helpers/postgres'
import { tempDir } from '../helpers/temp-dir'
import { freePort, until } from '../helpers/waiting'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const SHOP = 'https://shop.example.com'
const N = 40
const HEAL_BUDGET_MS = 10_000
/** PostgreSQL: the dead instance's claims wait for its heartbeat to go stale (a few seconds) first. */
const SHARED_HEAL_BUDGET_MS = 15_000

const children = new Set<ChildProcess>()
let upstream: OutageInfobip | undefined
afterEach(async () => {
  for (const child of children) {
    child.kill('SIGKILL')
  }
  children.clear()
  await upstream?.close()
  upstream = undefined
})

/**
 * The store holds nothing pending or awaiting (GET /metrics, flowform_queue_depth read from the
 * store on each scrape): every delivery is finished, so the workers have nothing left to send.
 */
async function queueDrained(url: string): Promise<boolean> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(1_000) })).text()
    const depths = text
      .split('\n')
      .filter((line) => line.startsWith('flowform_queue_depth{'))
      .map((line) => Number(line.split(' ').at(-1)))
    return depths.length > 0 && depths.every((n) => n === 0)
  } catch {
    return false
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok
  } catch {
    return false
  }
}

/** `node --import tsx proxy/main.ts`, as `npm start` runs the built server, in live mode against `infobip`. */
async function startProxy(
  dir: string,
  infobip: string,
  extra: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort()
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(INFOBIP_|RAPIDPRO_|FLOWFORM_|npm_)/.test(k)),
  )
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts'], {
    cwd: ROOT,
    env: {
      ...clean,
      PORT: String(port),
      HOST: '127.0.0.1',
      FLOWFORM_DATA_DIR: join(dir, 'data'),
      FLOWFORM_CONFIG: join(dir, 'flowform.config.json'),
      INFOBIP_BASE_URL: infobip,
      INFOBIP_API_KEY: 'outage-test-key',
      FLOWFORM_SUBMISSIONS_PER_MINUTE: '100000',
      LOG_LEVEL: 'info',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  await until(() => answers(`${url}/healthz`), 30_000, `the proxy to answer /healthz (${output})`)
  return { child, url, output: () => output }
}

function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  children.delete(child)
  return exited
}

async function signUp(url: string, emails: string[]): Promise<number[]> {
  const statuses: number[] = []
  // Ten at a time, as a busy shop's visitors would.
  for (let i = 0; i < emails.length; i += 10) {
    const batch = emails.slice(i, i + 10).map(async (email) => {
      const res = await fetch(`${url}/v1/forms/welcome/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SHOP },
        body: JSON.stringify({ values: { email } }),
        signal: AbortSignal.timeout(5_000),
      })
      return res.status
    })
    statuses.push(...(await Promise.all(batch)))
  }
  return statuses
}

function writeConfig(dir: string): void {
  writeFileSync(
    join(dir, 'flowform.config.json'),
    JSON.stringify({
      forms: [
        {
          id: 'welcome',
          allowedOrigins: [SHOP],
          botDefense: false,
          fields: [{ name: 'email', type: 'email', required: true }],
          flow: { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId },
        },
      ],
    }),
  )
}

describe('kill -9 during an Infobip outage, restart, heal (embedded store)', () => {
  for (const outage of ['503', 'reset', 'hang'] as const satisfies readonly Outage[]) {
    it(`delivers every accepted signup exactly once within 10 s of the heal (${outage})`, async () => {
      const dir = tempDir('outage')
      writeConfig(dir)
      upstream = await startOutageInfobip()
      upstream.set(outage)
      const first = await startProxy(dir, upstream.url)
      const emails = Array.from({ length: N }, (_, i) => `person${i}-${outage}@example.com`)
      const statuses = await signUp(first.url, emails)
      // Instant confirmation: stored, then answered; never a wait for the failing upstream.
      expect(statuses.every((s) => s === 202)).toBe(true)
      // The outage has been met (attempts out, some hanging or retrying) when the process dies.
      await until(() => (upstream?.calls[outage] ?? 0) >= 5, 10_000, 'attempts against the outage')
      await killHard(first.child)

      const callsBeforeRestart = upstream.calls[outage]
      const second = await startProxy(dir, upstream.url)
      // The restarted process has taken up the killed one's deliveries and met the outage itself
      // before it heals: the heal is recovered from, not merely found on a fresh start.
      await until(
        () => (upstream?.calls[outage] ?? 0) > callsBeforeRestart,
        10_000,
        `an attempt of the restarted process against the outage (${second.output()})`,
      )
      const healedAt = Date.now()
      upstream.set('none')
      await until(() => upstream?.accepted.size === N, HEAL_BUDGET_MS, `all ${N} delivered (${second.output()})`)
      const tookMs = Date.now() - healedAt
      expect(tookMs).toBeLessThanOrEqual(HEAL_BUDGET_MS)
      // Nothing goes out twice, also once every delivery is finished and nothing is left to send.
      await until(() => queueDrained(second.url), 10_000, `an empty queue (${second.output()})`)
      expect([...upstream.accepted.keys()].sort()).toEqual([...emails].sort())
      expect([...upstream.accepted.values()].every((n) => n === 1)).toBe(true)
      // The breaker logs its changes of state, once each, never one line per failed delivery; if it
      // opened after the restart, the last word is that it closed again.
      const breakerLines = second
        .output()
        .split('\n')
        .filter((l) => l.includes('"breaker"'))
      expect(breakerLines.length).toBeLessThan(20)
      if (breakerLines.length > 0) {
        expect(breakerLines.at(-1)).toMatch(/"breaker":"closed"/)
      }
      await killHard(second.child)
    }, 60_000)
  }
})

describe('kill -9 of one instance during an Infobip outage, heal (PostgreSQL: another instance takes over)', () => {
  for (const outage of ['503', 'reset', 'hang'] as const satisfies readonly Outage[]) {
    it(`delivers every accepted signup exactly once within 15 s of the heal (${outage})`, async () => {
      const dir = tempDir('outage-pg')
      writeConfig(dir)
      const shared = { FLOWFORM_DATABASE_URL: await freshDatabase() }
      upstream = await startOutageInfobip()
      upstream.set(outage)
      const doomed = await startProxy(dir, upstream.url, { ...shared, FLOWFORM_DATA_DIR: join(dir, 'a') })
      const survivor = await startProxy(dir, upstream.url, { ...shared, FLOWFORM_DATA_DIR: join(dir, 'b') })
      const emails = Array.from({ length: N }, (_, i) => `person${i}-pg-${outage}@example.com`)
      // All of them through the instance that is about to die.
      const statuses = await signUp(doomed.url, emails)
      expect(statuses.every((s) => s === 202)).toBe(true)
      await until(() => (upstream?.calls[outage] ?? 0) >= 5, 10_000, 'attempts against the outage')
      await killHard(doomed.child)

      const healedAt = Date.now()
      upstream.set('none')
      await until(
        () => upstream?.accepted.size === N,
        SHARED_HEAL_BUDGET_MS,
        `all ${N} delivered by the other instance (${survivor.output()})`,
      )
      expect(Date.now() - healedAt).toBeLessThanOrEqual(SHARED_HEAL_BUDGET_MS)
      // Nothing goes out twice, also once the shared store has every delivery finished.
      await until(() => queueDrained(survivor.url), 10_000, `an empty queue (${survivor.output()})`)
      expect([...upstream.accepted.keys()].sort()).toEqual([...emails].sort())
      expect([...upstream.accepted.values()].every((n) => n === 1)).toBe(true)
      await killHard(survivor.child)
    }, 60_000)
  }
})
