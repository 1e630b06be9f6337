// Heal once, drain at once (issue 12): 10,000 pending Moments signups wait in the outbox while
// Infobip answers 503; the breaker opens, one probe at a time tests Infobip; then Infobip heals.
// Printed: the time from the heal until every signup is delivered, beside the baseline of the same
// drain with Infobip up all along (same run, same fake limited to 10 requests/s), the calls spent
// during the outage, the batches, the most calls in any rolling second, and peak RSS.
//
//   npx tsx bench/outage-drain.ts [N=10000] [outage seconds=5]
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { infobipFakeOf, SANDBOX_SEED } from '../fakes/infobip-fake'
import { createLogger } from '../proxy/common/log'
import type { PlannedDelivery } from '../proxy/delivery/payloads'
import { createRuntime, type Runtime } from '../proxy/runtime'
import { maxInRollingWindow } from '../test/helpers/rate-window'
import { benchDir, SHOP, writeSignupConfig } from './lib'

const N = Number(process.argv[2] ?? 10_000)
const OUTAGE_S = Number(process.argv[3] ?? 5)
const CAMPAIGN = SANDBOX_SEED.momentsCampaignId
const ADD_PATH = `/moments/1/flows/${CAMPAIGN}/participants`
const BOUND_MS = 300_000

async function runtimeIn(dir: string): Promise<Runtime> {
  const configPath = writeSignupConfig(dir, {
    fields: [{ name: 'email', type: 'email', required: true }],
    flow: { api: 'moments', campaignId: CAMPAIGN },
  })
  return createRuntime({
    env: { port: 0, host: '127.0.0.1', configPath, dataDir: join(dir, 'data'), infobip: null, rapidpro: null },
    log: createLogger({ level: 'silent' }),
    publicOrigins: [SHOP],
    // The production defaults: a worker tick a second, the default breaker.
    sandbox: { rateLimitPerSecond: 10 },
  })
}

/** N signups accepted earlier (as after a restart): pending, due now, nobody's claim. */
function backlog(runtime: Runtime): void {
  const planned = (i: number): PlannedDelivery => {
    const email = `shopper${i}@example.com`
    return {
      target: 'flow',
      payload: {
        flow: { api: 'moments', campaignId: CAMPAIGN },
        personData: { person: { contactInformation: { email: [{ address: email }] } }, email, emailField: 'email' },
      },
    }
  }
  const ids: number[] = []
  runtime.outbox.atomically(() => {
    for (let i = 0; i < N; i++) {
      ids.push(...runtime.outbox.add(`s${i}`, 'signup', [planned(i)], 0).map((d) => d.id))
    }
  })
  for (const id of ids) {
    runtime.outbox.release(id)
  }
}

async function until(check: () => boolean, boundMs: number): Promise<void> {
  const end = performance.now() + boundMs
  while (!check() && performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

interface Run {
  drainMs: number
  /** From the heal to the breaker's close (the first successful probe); 0 without an outage. */
  probeMs: number
  outageCalls: number
  adds: number
  maxPerSecond: number
  done: number
}

async function run(outage: boolean): Promise<Run> {
  const dir = benchDir('flowform-drain-')
  const runtime = await runtimeIn(dir)
  const fake = infobipFakeOf(runtime.fake)
  try {
    if (outage) {
      fake?.failNext({ method: 'POST', path: ADD_PATH }, { status: 503 }, 1_000_000)
    }
    backlog(runtime)
    runtime.worker.kick()
    let outageCalls = 0
    if (outage) {
      await until(() => runtime.health.state('infobip') === 'open', 30_000)
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_S * 1_000))
      outageCalls = fake?.requests.length ?? 0
      // Infobip is back (its call log starts afresh, so what follows is the drain's).
      fake?.reset()
    }
    const started = performance.now()
    let closedAt = started
    runtime.health.onChange(({ state }) => {
      if (state === 'closed') {
        closedAt = performance.now()
      }
    })
    await until(() => runtime.outbox.counts().done >= N, BOUND_MS)
    const drainMs = performance.now() - started
    const calls = fake?.requests ?? []
    return {
      drainMs,
      probeMs: closedAt - started,
      outageCalls,
      adds: calls.filter((c) => c.method === 'POST' && c.path === ADD_PATH).length,
      maxPerSecond: maxInRollingWindow(calls.map((c) => c.at)),
      done: runtime.outbox.counts().done,
    }
  } finally {
    await runtime.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const baseline = await run(false)
const healed = await run(true)
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
console.info(`Outage drain: ${N.toLocaleString('en-US')} pending Moments signups, account limit 10/s, worker tick 1 s`)
console.info('| | delivered | drain time | add calls (batches) | most calls in any second | calls during the outage |')
console.info('| --- | --- | --- | --- | --- | --- |')
console.info(
  `| baseline: Infobip up all along | ${baseline.done} | ${s(baseline.drainMs)} | ${baseline.adds} | ${baseline.maxPerSecond} | - |`,
)
console.info(
  `| ${OUTAGE_S} s of 503, then healed (time from the heal) | ${healed.done} | ${s(healed.drainMs)} | ${healed.adds} | ${healed.maxPerSecond} | ${healed.outageCalls} |`,
)
console.info(
  `after the heal: first successful probe after ${s(healed.probeMs)}, then drained in ${s(healed.drainMs - healed.probeMs)} ` +
    `(baseline ${s(baseline.drainMs)}); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
)
if (baseline.done < N || healed.done < N) {
  process.exitCode = 1
}
