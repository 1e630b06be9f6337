// Issue 12 items 3 and 4: nobody waits for a hanging upstream (the flow deadline is the operator's,
// an open breaker answers "queued" at once), and the operator sees the breakers in
// `npx flowform outbox` through breakers.json. Also the two environment variables this adds.
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { runCli } from '../../proxy/cli/main'
import { breakerLines } from '../../proxy/cli/outbox-breakers'
import { readEnv } from '../../proxy/config/env'
import { BREAKER_FILE, readBreakerFile, writeBreakerFile } from '../../proxy/delivery/breaker-file'
import { advancedUntil, advancedWhile } from '../helpers/fake-clock'
import { tempDir } from '../helpers/temp-dir'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

let proxy: TestProxy | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  proxy = undefined
})

const LEGACY = SANDBOX_SEED.legacyCampaignId
const config = {
  forms: [
    {
      id: 'waits',
      allowedOrigins: [SHOP],
      fields: [{ name: 'email', type: 'email', required: true }],
      flow: { api: 'legacy', campaignId: LEGACY },
      confirmation: 'flow',
    },
  ],
}
const legacyCalls = (p: TestProxy) => (p.fake?.requests ?? []).filter((r) => r.path.startsWith('/communication/'))

describe('confirmation: "flow" against a slow or broken upstream', () => {
  it('waits for a hanging upstream no longer than FLOWFORM_FLOW_DEADLINE_MS, then answers queued', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ config, env: { flowDeadlineMs: 1_500 }, waitMs: 10_000 })
    proxy.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 200, delayMs: 30_000 })
    const res = await advancedUntil(proxy.submit('waits', { email: 'slow@example.com' }), 10)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(Date.now()).toBeGreaterThanOrEqual(1_500)
    expect(Date.now()).toBeLessThan(1_600)
  })

  it('answers queued at once while the breaker is open, without calling the upstream', async () => {
    vi.useFakeTimers({ now: 0 })
    // The worker ticks as in production, so the breaker's probe goes when its open period is over.
    proxy = await createTestProxy({ config, runtime: { workerIntervalMs: 1_000 } })
    const p = proxy
    p.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 503 }, 5)
    for (let i = 0; i < 5; i++) {
      const res = await advancedUntil(p.submit('waits', { email: `down${i}@example.com` }), 10)
      expect(await res.json()).toEqual({ status: 'queued' })
    }
    expect(p.health.state('infobip')).toBe('open')
    const calls = legacyCalls(p).length
    const started = Date.now()
    const res = await advancedUntil(p.submit('waits', { email: 'later@example.com' }), 1)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(Date.now() - started).toBeLessThan(5)
    expect(legacyCalls(p)).toHaveLength(calls)
    // Kept, with no attempt spent: it goes once Infobip answers again.
    const waiting = p.outbox.list({ status: 'pending' }).find((d) => d.attempts === 0)
    expect(waiting?.lastError).toMatch(/circuit open/)
    await advancedWhile(() => p.outbox.counts().done < 6, 100, 60_000)
    expect(p.outbox.counts()).toMatchObject({ done: 6, pending: 0 })
    expect(p.fake?.flowParticipants(LEGACY)).toHaveLength(6)
  })
})

describe('the breakers for the operator', () => {
  it('are written to breakers.json (0600) on every change, and `flowform outbox` shows them', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 })
    const dataDir = join(tempDir('breakers'), 'data')
    proxy = await createTestProxy({ config, env: { dataDir } })
    const p = proxy
    const file = join(dataDir, BREAKER_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readBreakerFile(dataDir)?.upstreams.map((b) => b.state)).toEqual(['closed', 'closed'])
    p.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 503, headers: { 'retry-after': '60' } })
    await advancedUntil(p.submit('waits', { email: 'x@example.com' }), 10)
    expect(readBreakerFile(dataDir)?.upstreams[0]).toMatchObject({ upstream: 'infobip', state: 'open' })
    let stdout = ''
    const code = await runCli(['outbox'], {
      env: { FLOWFORM_DATA_DIR: dataDir },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => {} },
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^Upstream infobip: OPEN \(unavailable, deliveries wait\) for 0s, next probe in 1m; last error: /m,
    )
    expect(stdout).toMatch(/^Upstream rapidpro: closed \(answering\)/m)
    expect(stdout).not.toContain('x@example.com')
    await p.close()
    proxy = undefined
    // A server that stopped leaves nothing that could be taken for its present state.
    expect(breakerLines(dataDir)[0]).toMatch(/unknown/)
  })

  it('say "unknown" when the file is absent, unreadable, or its server is gone', () => {
    const dataDir = tempDir('breakers')
    expect(breakerLines(dataDir)).toEqual([
      'Upstreams: breaker state unknown (no running server has written it in this data directory).',
    ])
    writeBreakerFile(dataDir, [{ upstream: 'infobip', state: 'closed', since: Date.now() }])
    expect(breakerLines(dataDir)[0]).toMatch(/^Upstream infobip: closed/)
    expect(breakerLines(dataDir)[1]).toBe('Upstream rapidpro: unknown.')
    const written = JSON.parse(readFileSync(join(dataDir, BREAKER_FILE), 'utf8')) as { pid: number }
    writeFileSync(join(dataDir, BREAKER_FILE), JSON.stringify({ ...written, pid: 2 ** 22 + 12_345 }))
    expect(breakerLines(dataDir)[0]).toMatch(/unknown/)
    writeFileSync(join(dataDir, BREAKER_FILE), '{"pid":')
    expect(breakerLines(dataDir)[0]).toMatch(/unknown/)
  })
})

describe('environment', () => {
  it('reads FLOWFORM_FLOW_DEADLINE_MS and FLOWFORM_METRICS_TOKEN, and names what is wrong', () => {
    expect(readEnv({}).flowDeadlineMs).toBeUndefined()
    expect(readEnv({ FLOWFORM_FLOW_DEADLINE_MS: '2500' }).flowDeadlineMs).toBe(2_500)
    expect(() => readEnv({ FLOWFORM_FLOW_DEADLINE_MS: 'soon' })).toThrow(
      /FLOWFORM_FLOW_DEADLINE_MS: must be a number of milliseconds/,
    )
    expect(() => readEnv({ FLOWFORM_FLOW_DEADLINE_MS: '600000' })).toThrow(/FLOWFORM_FLOW_DEADLINE_MS: must be at most/)
    expect(readEnv({}).metricsToken).toBeNull()
    const token = 'a-long-enough-metrics-token'
    expect(readEnv({ FLOWFORM_METRICS_TOKEN: token }).metricsToken).toBe(token)
    let message = ''
    try {
      readEnv({ FLOWFORM_METRICS_TOKEN: 'short-secret' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/FLOWFORM_METRICS_TOKEN: must be at least 16 characters/)
    expect(message).not.toContain('short-secret')
  })
})
