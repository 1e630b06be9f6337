// Issue 10 item 6 and issue 12 item 4: GET /metrics in Prometheus text format, one registry per
// runtime, an optional bearer token, and without one only this machine may read it.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { advancedUntil, advancedWhile } from '../helpers/fake-clock'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

const proxies: TestProxy[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const p of proxies.splice(0)) {
    await p.close()
  }
})

const config = {
  forms: [
    {
      id: 'legacy-form',
      allowedOrigins: [SHOP],
      fields: [{ name: 'email', type: 'email', required: true }],
      flow: { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId },
      confirmation: 'instant',
    },
  ],
}

async function proxyWith(env: Record<string, unknown> = {}): Promise<TestProxy> {
  const p = await createTestProxy({ config, env })
  proxies.push(p)
  return p
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

async function scrape(p: TestProxy, headers: Record<string, string> = {}): Promise<Response> {
  return p.request('/metrics', { origin: null, headers })
}

describe('GET /metrics', () => {
  it('counts signups and deliveries per form, upstream answers and latency, limiter waits, breaker state', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 })
    const p = await proxyWith()
    for (const email of ['a@example.com', 'b@example.com']) {
      expect((await advancedUntil(p.submit('legacy-form', { email }), 10)).status).toBe(202)
    }
    // A bot: answered like a person, counted as dropped, never stored.
    await advancedUntil(p.submit('legacy-form', { email: 'bot@example.com' }, { honeypot: 'https://spam.example' }), 10)
    await advancedWhile(() => p.outbox.counts().done < 2, 10)
    const res = await scrape(p)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(sample(text, 'flowform_signups_accepted_total{form="legacy-form"}')).toBe(2)
    expect(sample(text, 'flowform_signups_dropped_total{form="legacy-form"}')).toBe(1)
    expect(sample(text, 'flowform_deliveries_delivered_total{form="legacy-form",target="flow"}')).toBe(2)
    expect(sample(text, 'flowform_upstream_responses_total{upstream="infobip",status="200"}')).toBe(2)
    expect(sample(text, 'flowform_upstream_request_duration_seconds_count{upstream="infobip",status="200"}')).toBe(2)
    expect(sample(text, 'flowform_limiter_wait_seconds_count{upstream="infobip"}')).toBe(2)
    expect(sample(text, 'flowform_queue_depth{target="flow",status="pending"}')).toBe(0)
    expect(sample(text, 'flowform_queue_oldest_pending_age_seconds{target="flow"}')).toBe(0)
    expect(sample(text, 'flowform_upstream_breaker_state{upstream="infobip",state="closed"}')).toBe(1)
    expect(sample(text, 'flowform_upstream_breaker_state{upstream="infobip",state="open"}')).toBe(0)
    // Nothing personal in it.
    expect(text).not.toContain('example.com')
  })

  it('shows an outage: failures by status, the queue growing older, the breaker open', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 })
    const p = await proxyWith()
    p.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 503, headers: { 'retry-after': '30' } }, 10)
    expect((await advancedUntil(p.submit('legacy-form', { email: 'c@example.com' }), 10)).status).toBe(202)
    await advancedWhile(() => p.health.state('infobip') !== 'open', 10, 5_000)
    await vi.advanceTimersByTimeAsync(12_000)
    const text = await (await scrape(p)).text()
    expect(sample(text, 'flowform_upstream_responses_total{upstream="infobip",status="503"}')).toBe(1)
    expect(sample(text, 'flowform_queue_depth{target="flow",status="pending"}')).toBe(1)
    expect(sample(text, 'flowform_queue_oldest_pending_age_seconds{target="flow"}')).toBeGreaterThanOrEqual(12)
    expect(sample(text, 'flowform_upstream_breaker_state{upstream="infobip",state="open"}')).toBe(1)
    expect(sample(text, 'flowform_upstream_breaker_state{upstream="rapidpro",state="closed"}')).toBe(1)
  })

  it('keeps each runtime in its own registry', async () => {
    const one = await proxyWith()
    const two = await proxyWith()
    one.metrics.signupsAccepted.inc({ form: 'legacy-form' })
    const text = await (await scrape(two)).text()
    expect(sample(text, 'flowform_signups_accepted_total{form="legacy-form"}')).toBeUndefined()
  })

  it('with FLOWFORM_METRICS_TOKEN, answers only the bearer of that token', async () => {
    const token = 'metrics-token-0123456789abcdef'
    const p = await proxyWith({ metricsToken: token })
    expect((await scrape(p)).status).toBe(401)
    expect((await scrape(p, { authorization: `Bearer ${token}x` })).status).toBe(401)
    expect((await scrape(p, { authorization: `Basic ${token}` })).status).toBe(401)
    const ok = await scrape(p, { authorization: `Bearer ${token}` })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('flowform_upstream_breaker_state')
    const refused = await scrape(p)
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await refused.text()).not.toContain(token)
  })

  it('without a token, answers callers on this machine only (the socket, not X-Forwarded-For)', async () => {
    const p = await proxyWith()
    const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
      p.app.fetch(new Request('http://proxy.test/metrics', { headers }), { incoming: { socket: { remoteAddress } } })
    expect((await from('127.0.0.1')).status).toBe(200)
    expect((await from('::1')).status).toBe(200)
    expect((await from('::ffff:127.0.0.1')).status).toBe(200)
    expect((await from('203.0.113.9')).status).toBe(401)
    expect((await from('203.0.113.9', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(401)
  })
})
