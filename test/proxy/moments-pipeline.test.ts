import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DeliveryRecord } from '../../proxy/delivery/payloads'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { advancedUntil, advancedWhile } from '../helpers/fake-clock'
import { maxInRollingWindow } from '../helpers/rate-window'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'
import { createTestProxy, SHOP, type TestProxy, type TestProxyOptions } from '../helpers/test-proxy'

const CAMPAIGN = '200000000000001'
const ADD_PATH = `/moments/1/flows/${CAMPAIGN}/participants`
const REPORT_PATH = `${ADD_PATH}/report`
const NOTIFY_URL = 'https://signup.shop.example.com/v1/hooks/moments-report'
const SECRET = 'correct-horse-battery-staple'
const env = { momentsNotify: { url: NOTIFY_URL, secret: SECRET } }
const TOO_MANY = { requestError: { serviceException: { messageId: 'TOO_MANY_REQUESTS', text: 'Too many requests' } } }
const LIMITS = { submissionsPerMinute: 100_000, viewsPerMinute: 100_000 }
/** A config of its own, so that other targets added to the demo forms do not change these counts. */
const CONFIG = {
  forms: [
    {
      id: 'signup',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true, label: 'Email' },
        { name: 'firstName', type: 'text', label: 'First name' },
        { name: 'consent', type: 'checkbox', required: true, label: 'I agree' },
      ],
      flow: { api: 'moments', campaignId: CAMPAIGN },
    },
  ],
}

let proxy: TestProxy | undefined
let server: RecordingServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  await server?.close()
  proxy = undefined
  server = undefined
})

async function start(options: TestProxyOptions): Promise<TestProxy> {
  proxy = await createTestProxy({ rateLimits: LIMITS, config: CONFIG, ...options })
  return proxy
}

const signup = (i: number) => ({ email: `shopper${i}@example.com`, firstName: `S${i}`, consent: true })
const calls = (p: TestProxy, path: string, method = path === REPORT_PATH ? 'GET' : 'POST') =>
  (p.fake?.requests ?? []).filter((c) => c.method === method && c.path === path)

/** Makes every unfinished delivery due now, as if its backoff or poll interval had passed. */
function makeDue(p: TestProxy): void {
  for (const d of [...p.outbox.list({ status: 'pending' }), ...p.outbox.list({ status: 'awaiting' })]) {
    p.outbox.await(d.id, d.state, 0)
  }
}

async function drain(p: TestProxy, rounds = 10): Promise<void> {
  for (let i = 0; i < rounds && (p.outbox.counts().pending > 0 || p.outbox.counts().awaiting > 0); i += 1) {
    makeDue(p)
    await p.worker.runOnce()
  }
}

describe('Black Friday through the HTTP API', () => {
  // The same run at full size (3,000 signups, 1,000 a call) is `npm run bench` (bench/black-friday.ts),
  // where its wall-clock time is measured; here the clock is fake and the batch size small.
  it('takes 300 signups at once to Moments in 3 calls of 100, within the account limit', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({
      waitMs: 8_000,
      runtime: { sandbox: { rateLimitPerSecond: 10 }, moments: { windowMs: 1_000, maxBatch: 100 } },
    })
    const answers = await advancedUntil(
      Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          p
            .submit('signup', signup(i))
            .then(async (r) => `${r.status} ${((await r.json()) as { status?: string }).status}`),
        ),
      ),
    )
    expect(answers.filter((a) => a !== '200 enrolled' && a !== '202 queued')).toEqual([])
    await advancedUntil(drain(p))
    expect(calls(p, ADD_PATH).map((c) => c.status)).toEqual([200, 200, 200])
    const all = p.fake?.requests ?? []
    expect(all.filter((c) => c.status === 429)).toEqual([])
    expect(maxInRollingWindow(all.map((c) => c.at))).toBeLessThanOrEqual(10)
    // One poller per operation, not one per waiting person.
    expect(calls(p, REPORT_PATH).length).toBeLessThanOrEqual(15)
    const enrolled = new Set(
      p.fake?.flowParticipants(CAMPAIGN).map((f) => f.person.contactInformation?.email?.[0]?.address),
    )
    expect(enrolled.size).toBe(300)
    expect(enrolled.has('shopper299@example.com')).toBe(true)
    expect(p.outbox.counts()).toMatchObject({ done: 300, pending: 0, awaiting: 0, failed: 0 })
  })

  it('gives the same email sent twice at once two calls: one enrolled, one already_enrolled', async () => {
    const p = await start({ waitMs: 3_000 })
    const answers = await Promise.all([0, 0].map((i) => p.submit('signup', signup(i)).then((r) => r.json())))
    expect(answers.map((a) => (a as { status: string }).status).sort()).toEqual(['already_enrolled', 'enrolled'])
    expect(calls(p, ADD_PATH)).toHaveLength(2)
    expect(p.fake?.flowParticipants(CAMPAIGN)).toHaveLength(1)
  })
})

describe('429 storms', () => {
  it('rides out a short storm in the call itself, honouring Retry-After', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({ waitMs: 5_000 })
    p.fake?.failNext(
      { method: 'POST', path: ADD_PATH },
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '1' } },
      2,
    )
    const answers = await advancedUntil(
      Promise.all(Array.from({ length: 40 }, (_, i) => p.submit('signup', signup(i)))),
    )
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200))
    const adds = calls(p, ADD_PATH)
    expect(adds.map((c) => c.status)).toEqual([429, 429, 200])
    expect((adds[2]?.at ?? 0) - (adds[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_980)
    expect(p.fake?.flowParticipants(CAMPAIGN)).toHaveLength(40)
  })

  it('loses nothing in a long storm: the outbox delivers everyone after it, each once', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({ waitMs: 500 })
    p.fake?.failNext(
      { method: 'POST', path: ADD_PATH },
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '0.2' } },
      7,
    )
    p.fake?.failNext(
      { method: 'GET', path: REPORT_PATH },
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '0.2' } },
      3,
    )
    const answers = await advancedUntil(
      Promise.all(Array.from({ length: 60 }, (_, i) => p.submit('signup', signup(i)).then((r) => r.status))),
    )
    expect(answers).toEqual(Array(60).fill(202))
    // The in-call retries end in a 429 for the batch: everyone goes back to the outbox, nothing is lost.
    await advancedWhile(() => calls(p, ADD_PATH).length < 4, 100, 5_000)
    expect(calls(p, ADD_PATH).length).toBeGreaterThanOrEqual(4)
    await advancedUntil(drain(p))
    expect(p.outbox.counts()).toMatchObject({ done: 60, pending: 0, awaiting: 0, failed: 0 })
    expect(p.fake?.flowParticipants(CAMPAIGN)).toHaveLength(60)
    expect(p.outbox.list({ status: 'done' }).every((d) => d.result === 'enrolled')).toBe(true)
    const adds = calls(p, ADD_PATH)
    expect(adds.filter((c) => c.status === 200).length).toBeLessThanOrEqual(3)
  })
})

describe('following reports', () => {
  it('answers 202 queued while the report is pending, then the worker finishes it with one poll', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({ waitMs: 600, runtime: { sandbox: { reportDelayMs: 1_200 } } })
    const answers = await advancedUntil(
      Promise.all(Array.from({ length: 20 }, (_, i) => p.submit('signup', signup(i)))),
    )
    // Participants turn final one by one (the i-th of 20 after 1,200·(i+1)/20 ms): the first few
    // within the 600 ms the people wait, the rest are queued.
    const statuses = answers.map((r) => r.status)
    const enrolled = statuses.filter((s) => s === 200).length
    expect(enrolled).toBeGreaterThan(0)
    expect(enrolled).toBeLessThan(10)
    expect(statuses).toEqual([...Array<number>(enrolled).fill(200), ...Array<number>(20 - enrolled).fill(202)])
    const awaiting = p.outbox.list({ status: 'awaiting' })
    expect(awaiting).toHaveLength(20 - enrolled)
    const operationId = stateOf(awaiting[0]).operationId
    expect(typeof operationId).toBe('string')
    expect(
      awaiting.every((d) => stateOf(d).operationId === operationId && typeof stateOf(d).addedAt === 'number'),
    ).toBe(true)
    // 20 people waited on one operation: a handful of polls, not 20 pollers.
    expect(calls(p, REPORT_PATH).length).toBeLessThanOrEqual(4)
    // Nobody waits any more, so nothing polls until the worker looks (after the report is final).
    const before = calls(p, REPORT_PATH).length
    await vi.advanceTimersByTimeAsync(1_300)
    expect(calls(p, REPORT_PATH).length).toBe(before)
    makeDue(p)
    await advancedUntil(p.worker.runOnce())
    expect(calls(p, REPORT_PATH).length - before).toBe(1)
    expect(p.outbox.counts()).toMatchObject({ done: 20, awaiting: 0 })
    expect(calls(p, ADD_PATH)).toHaveLength(1)
  })

  it('keeps another rejection for the operator, with its errorReason', async () => {
    const p = await start({ waitMs: 3_000, runtime: { sandbox: { knownCustomAttributes: ['loyalty'] } } })
    const res = await p.submit('signup', signup(1))
    expect(res.status).toBe(503)
    expect(JSON.stringify(await res.json())).not.toMatch(/REJECTED|infobip/i)
    const [failed] = p.outbox.list({ status: 'failed' })
    expect(failed?.lastError).toContain('REJECTED_ATTRIBUTE_MISSED')
    expect(failed?.payload).toHaveProperty('personData')
    expect(p.logText()).toContain('REJECTED_ATTRIBUTE_MISSED')
  })

  it('fails an operation for the operator when it never finishes', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({
      waitMs: 300,
      runtime: { sandbox: { reportDelayMs: 3_600_000 }, moments: { maxAgeMs: 500 } },
    })
    expect((await advancedUntil(p.submit('signup', signup(1)))).status).toBe(202)
    await vi.advanceTimersByTimeAsync(600)
    makeDue(p)
    await advancedUntil(p.worker.runOnce())
    const [failed] = p.outbox.list({ status: 'failed' })
    expect(failed?.lastError).toMatch(/REPORT_TIMEOUT .*not final/)
  })
})

describe('notifyUrl hook', () => {
  const hook = (p: TestProxy, query: string, body: unknown) =>
    p.request(`/v1/hooks/moments-report${query}`, {
      method: 'POST',
      origin: null,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('refuses a wrong or missing secret with 403 and calls no upstream', async () => {
    const p = await start({ env })
    const report = { operationId: 'x', participants: [] }
    for (const query of ['', '?secret=wrong', `?secret=${SECRET}x`, `?secret=${SECRET.slice(0, -1)}`]) {
      const res = await hook(p, query, report)
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    }
    expect((await hook(p, `?secret=${SECRET}`, { operationId: 1 })).status).toBe(400)
    expect((await hook(p, `?secret=${SECRET}`, '{nope')).status).toBe(400)
    expect(p.fake?.requestCount).toBe(0)
    expect(p.logText()).not.toContain(SECRET)
  })

  it('is not there without FLOWFORM_NOTIFY_SECRET', async () => {
    const p = await start({})
    expect((await hook(p, '?secret=anything', { operationId: 'x', participants: [] })).status).toBe(404)
  })

  it('finalises pending deliveries with the right secret, without polling', async () => {
    const p = await start({
      env,
      waitMs: 400,
      runtime: { sandbox: { reportDelayMs: 3_600_000, notify: async () => {} } },
    })
    const answers = await Promise.all([1, 2, 3].map((i) => p.submit('signup', signup(i))))
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202])
    const operationId = stateOf(p.outbox.list({ status: 'awaiting' })[0]).operationId as string
    const polls = calls(p, REPORT_PATH).length
    const res = await hook(p, `?secret=${encodeURIComponent(SECRET)}`, {
      operationId,
      campaignId: Number(CAMPAIGN),
      participants: [
        { identifyBy: { identifier: 'shopper1@example.com', type: 'EMAIL' }, status: 'ACCEPTED' },
        {
          identifyBy: { identifier: 'shopper2@example.com', type: 'EMAIL' },
          status: 'REJECTED',
          errorReason: 'REJECTED_PERSON_IN_FLOW',
        },
        {
          identifyBy: { identifier: 'shopper3@example.com', type: 'EMAIL' },
          status: 'REJECTED',
          errorReason: 'REJECTED_NOT_ENOUGH_CREDITS',
        },
      ],
    })
    expect(res.status).toBe(204)
    await vi.waitFor(() => expect(p.outbox.counts()).toMatchObject({ done: 2, failed: 1, awaiting: 0 }))
    expect(
      p.outbox
        .list({ status: 'done' })
        .map((d) => d.result)
        .sort(),
    ).toEqual(['already_enrolled', 'enrolled'])
    expect(p.outbox.list({ status: 'failed' })[0]?.lastError).toContain('REJECTED_NOT_ENOUGH_CREDITS')
    expect(calls(p, REPORT_PATH).length).toBe(polls)
  })

  it('in the sandbox, the fake calls the hook itself when the report is ready', async () => {
    vi.useFakeTimers({ now: 0 })
    const p = await start({ env, waitMs: 300, runtime: { sandbox: { reportDelayMs: 800 } } })
    expect((await advancedUntil(p.submit('signup', signup(1)))).status).toBe(202)
    // No worker pass runs meanwhile: the hook finishes it once the report is ready.
    await vi.advanceTimersByTimeAsync(800)
    expect(p.outbox.counts()).toMatchObject({ done: 1, awaiting: 0 })
    expect(p.logText()).toContain('moments report received')
  })
})

describe('on the wire', () => {
  it('sends one batch with the participants array and notifyUrl carrying the secret', async () => {
    const fake = createInfobipFake({ credentials: { apiKey: 'live-key' } })
    server = await startRecordingServer((request) => fake.fetch(request))
    const p = await start({
      env,
      infobip: { baseUrl: server.url, auth: { kind: 'app', apiKey: 'live-key' } },
      waitMs: 3_000,
    })
    const answers = await Promise.all([1, 2, 3].map((i) => p.submit('signup', signup(i)).then((r) => r.json())))
    expect(answers).toEqual(Array(3).fill({ status: 'enrolled' }))
    const adds = server.requests.filter((r) => r.method === 'POST' && r.path === ADD_PATH)
    expect(adds).toHaveLength(1)
    const body = adds[0]?.json as {
      participants: { identifyBy: unknown; person: { firstName: string } }[]
      notifyUrl: string
    }
    expect(body.participants.map((x) => x.identifyBy)).toEqual(
      [1, 2, 3].map((i) => ({ identifier: `shopper${i}@example.com`, type: 'EMAIL' })),
    )
    expect(body.participants[0]?.person.firstName).toBe('S1')
    expect(new URL(body.notifyUrl).origin + new URL(body.notifyUrl).pathname).toBe(NOTIFY_URL)
    expect(new URL(body.notifyUrl).searchParams.get('secret')).toBe(SECRET)
    expect(adds[0]?.headers.authorization).toBe('App live-key')
    expect(adds[0]?.headers['content-type']).toMatch(/^application\/json/)
    expect(p.logText()).not.toContain(SECRET)
  })
})

/** The Moments state of a flow delivery: which operation it awaits, since when. */
function stateOf(delivery: DeliveryRecord | undefined): {
  operationId?: string | undefined
  addedAt?: number | undefined
} {
  return delivery?.target === 'flow' ? delivery.state : {}
}
