import { afterEach, describe, expect, it, vi } from 'vitest'
import { advancedUntil } from '../helpers/fake-clock'
import { createRapidproFake } from '../../fakes/rapidpro-fake'
import type { RapidproFake } from '../../fakes/rapidpro-fake'
import { startRecordingServer } from '../helpers/recording-server'
import type { RecordingServer } from '../helpers/recording-server'
import { SHOP, createTestProxy } from '../helpers/test-proxy'
import type { TestProxy, TestProxyOptions } from '../helpers/test-proxy'

const CONTACTS = '/api/v2/contacts.json'

const config = {
  forms: [
    {
      // RapidPro is the only upstream: its outcome is what the person is told.
      id: 'rp-only',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'firstName', type: 'text' },
        { name: 'lastName', type: 'text' },
        { name: 'phone', type: 'tel' },
        { name: 'city', type: 'text' },
      ],
      rapidpro: { groups: ['Newsletter'], language: 'eng' },
    },
    {
      id: 'rp-phone',
      allowedOrigins: [SHOP],
      fields: [{ name: 'phone', type: 'tel', required: true }],
      rapidpro: { groups: ['Newsletter'] },
    },
    {
      // A flow decides; RapidPro follows.
      id: 'rp-flow',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'firstName', type: 'text' },
      ],
      flow: { api: 'moments', campaignId: '200000000000001' },
      rapidpro: { groups: ['Newsletter'] },
    },
    {
      id: 'rp-legacy',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'phone', type: 'tel' },
      ],
      flow: { api: 'legacy', campaignId: '10159347' },
      rapidpro: { groups: ['Newsletter'] },
    },
    {
      id: 'rp-unsynced',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'shoeSize', type: 'number' },
      ],
      rapidpro: { groups: ['Newsletter'] },
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

async function sandbox(options: TestProxyOptions = {}): Promise<TestProxy & { rp: RapidproFake }> {
  proxy = await createTestProxy({
    config,
    ...options,
    runtime: {
      rapidproSandbox: { fields: [{ name: 'City' }], ...options.runtime?.rapidproSandbox },
      ...options.runtime,
    },
  })
  if (!proxy.rapidproFake) {
    throw new Error('expected the RapidPro sandbox fake')
  }
  return Object.assign(proxy, { rp: proxy.rapidproFake })
}

/** Runs the follow-ups the outbox holds (groups, extra URNs, language) as the worker would, now. */
async function runFollowUps(p: TestProxy): Promise<void> {
  for (const delivery of p.outbox.list({ status: 'awaiting' })) {
    p.outbox.await(delivery.id, delivery.state, 0)
  }
  await p.worker.runOnce()
}

const rapidproDeliveries = (p: TestProxy) => p.outbox.list().filter((d) => d.target === 'rapidpro')

describe('RapidPro delivery in the submit pipeline', () => {
  it('answers a RapidPro-only form from one upsert, then adds groups, tel URN and language from the outbox', async () => {
    const p = await sandbox()
    const res = await p.submit('rp-only', {
      email: 'Ana@Example.com',
      firstName: 'Ana',
      lastName: 'Lovelace',
      phone: '+385 91 123 4567',
      city: 'Split',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'enrolled' })
    // One round trip during the request: the upsert by the primary URN.
    expect(p.rp.requests.map((r) => [r.method, r.path, r.search])).toEqual([
      ['POST', CONTACTS, '?urn=mailto%3Aana%40example.com'],
    ])
    expect(p.rp.requests[0]?.body).toEqual({ name: 'Ana Lovelace', fields: { city: 'Split' } })
    expect(p.rp.contact('mailto:ana@example.com')).toMatchObject({
      name: 'Ana Lovelace',
      groups: [],
      urns: ['mailto:ana@example.com'],
    })
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['awaiting'])

    await runFollowUps(p)
    const contact = p.rp.contact('mailto:ana@example.com')
    expect(contact).toMatchObject({
      name: 'Ana Lovelace',
      language: 'eng',
      urns: ['mailto:ana@example.com', 'tel:+385911234567'],
      groups: [{ name: 'Newsletter' }],
      fields: { city: 'Split' },
    })
    const [delivery] = rapidproDeliveries(p)
    expect(delivery).toMatchObject({ status: 'done', payload: {} })
    expect(
      p.rp.requests.some((r) => JSON.stringify(r.body ?? '').includes('"urns"') && r.search.includes('urn=')),
    ).toBe(false)
  })

  it("adds a returning contact to the form's group without removing it from its others or changing its language", async () => {
    const p = await sandbox()
    await p.rp.fetch('https://rp.test/api/v2/contacts.json', {
      method: 'POST',
      headers: { authorization: 'Token x', 'content-type': 'application/json' },
      body: JSON.stringify({ urns: ['mailto:vip@example.com'], groups: ['VIP'], language: 'por' }),
    })
    const res = await p.submit('rp-only', { email: 'vip@example.com', firstName: 'Vera' })
    expect(await res.json()).toEqual({ status: 'enrolled' })
    await runFollowUps(p)
    const contact = p.rp.contact('mailto:vip@example.com')
    expect(contact?.groups.map((g) => g.name)).toEqual(['VIP', 'Newsletter'])
    expect(contact).toMatchObject({ name: 'Vera', language: 'por' })
    expect(p.rp.contacts).toHaveLength(1)
  })

  it("queues on 429; RapidPro's breaker honours the Retry-After, then the worker delivers", async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 })
    const p = await sandbox()
    p.rp.failNext(
      { method: 'POST', path: CONTACTS },
      {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { detail: 'Request was throttled. Expected available in 7 seconds.' },
      },
    )
    const before = Date.now()
    const res = await advancedUntil(p.submit('rp-only', { email: 'eve@example.com' }), 10)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    const [pending] = rapidproDeliveries(p)
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 })
    // The workspace said when to come back: its breaker is open that long, for every delivery.
    const breaker = p.health.snapshots().find((b) => b.upstream === 'rapidpro')
    expect(breaker?.state).toBe('open')
    expect(breaker?.probeAt).toBeGreaterThanOrEqual(before + 7_000)
    expect(p.rp.contacts).toEqual([])

    p.outbox.retryLater(pending?.id ?? 0, 'test: due now', 0)
    await p.worker.runOnce()
    expect(p.rp.contacts).toEqual([])
    await vi.advanceTimersByTimeAsync(7_000)
    await p.worker.runOnce()
    expect(p.rp.contact('mailto:eve@example.com')).toBeDefined()
    await runFollowUps(p)
    expect(p.rp.contact('mailto:eve@example.com')?.groups.map((g) => g.name)).toEqual(['Newsletter'])
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['done'])
  })

  it('retries a RapidPro outage and a network failure', async () => {
    const p = await sandbox()
    p.rp.failNext({ method: 'POST', path: CONTACTS }, { status: 503, body: 'Service Unavailable' })
    expect((await p.submit('rp-only', { email: 'f@example.com' })).status).toBe(202)
    p.rp.failNext({ method: 'POST', path: CONTACTS }, { networkError: true })
    expect((await p.submit('rp-only', { email: 'g@example.com' })).status).toBe(202)
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['pending', 'pending'])
  })

  it("puts RapidPro's invalid URN on the phone field (422) and keeps nothing", async () => {
    const p = await sandbox()
    // A real number that RapidPro still refuses (its own checks differ from libphonenumber's).
    p.rp.failNext(
      { method: 'POST', path: CONTACTS },
      {
        status: 400,
        body: { urns: { '0': ['Invalid URN: tel:+385911234567. Ensure phone numbers contain country codes.'] } },
      },
    )
    const res = await p.submit('rp-phone', { phone: '+385 91 123 4567' })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      error: {
        code: 'invalid_values',
        message: expect.any(String),
        fields: { phone: ['Please check this phone number.'] },
      },
    })
    expect(p.rp.requests[0]?.status).toBe(400)
    expect(p.rp.contacts).toEqual([])
    expect(rapidproDeliveries(p).map((d) => [d.status, d.payload])).toEqual([['rejected', null]])
  })

  it('refuses a phone number without its country before RapidPro sees it', async () => {
    const p = await sandbox()
    const res = await p.submit('rp-only', { email: 'ok@example.com', phone: '091 123 4567' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({
      phone: ['Please enter a valid phone number.'],
    })
    expect(p.rp.requests).toEqual([])
  })

  it('puts a URN complaint about the email on the email field', async () => {
    const p = await sandbox()
    p.rp.failNext(
      { method: 'POST', path: CONTACTS },
      {
        status: 400,
        body: { urns: { '0': ['Invalid URN: mailto:odd@example.com. Ensure phone numbers contain country codes.'] } },
      },
    )
    const res = await p.submit('rp-only', { email: 'odd@example.com' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({
      email: ['Please check this email address.'],
    })
  })

  it("fails for the operator on 403/404/409, logging RapidPro's message; the person may try later", async () => {
    const cases: [number, string][] = [
      [403, 'You do not have permission to perform this action.'],
      [404, 'Not found.'],
      [409, 'Cannot create object because workspace has reached limit.'],
    ]
    for (const [status, detail] of cases) {
      const p = await sandbox()
      p.rp.failNext({ method: 'POST', path: CONTACTS }, { status, body: { detail } })
      const res = await p.submit('rp-only', { email: 'op@example.com' })
      expect(res.status, String(status)).toBe(503)
      const body = await res.text()
      expect(body).not.toMatch(/rapidpro|permission|limit/i)
      expect(p.logText()).toContain(detail)
      expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['failed'])
      await p.close()
      proxy = undefined
    }
  })

  it('fails an unexpected answer for the operator instead of retrying it: asking again gets the same', async () => {
    const p = await sandbox()
    // A 2xx that is not a contact: a wrong RAPIDPRO_BASE_URL, or a server RapidPro's API does not describe.
    p.rp.failNext({ method: 'POST', path: CONTACTS }, { status: 200, body: '<html>Welcome</html>' })
    const res = await p.submit('rp-only', { email: 'html@example.com' })
    expect(res.status).toBe(503)
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['failed'])
    expect(p.logText()).toContain('UNEXPECTED_BODY')
    expect(p.rp.requests).toHaveLength(1)
  })

  it('tells the operator to sync when a field is missing in RapidPro', async () => {
    const p = await sandbox()
    const res = await p.submit('rp-unsynced', { email: 'shoe@example.com', shoeSize: '42' })
    expect(res.status).toBe(503)
    expect(p.logText()).toContain('Invalid contact field key: shoe_size')
    expect(p.logText()).toContain('npx flowform rapidpro sync')
  })

  it('lets the flow decide when there is one: RapidPro failures change nothing for the person', async () => {
    const p = await sandbox()
    p.rp.failNext({ method: 'POST', path: CONTACTS }, { status: 500, body: 'boom' })
    const first = await p.submit('rp-flow', { email: 'flo@example.com', firstName: 'Flo' })
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ status: 'enrolled' })
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['pending'])

    p.rp.failNext(
      { method: 'POST', path: CONTACTS },
      {
        status: 400,
        body: {
          non_field_errors: ['Invalid URN: mailto:gus@example.com. Ensure phone numbers contain country codes.'],
        },
      },
    )
    const second = await p.submit('rp-flow', { email: 'gus@example.com' })
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ status: 'enrolled' })
    // Not the person's to fix any more (the flow took them): kept for the operator, without the address in the log.
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['pending', 'failed'])
    expect(p.logText()).toContain('RapidPro refused the mailto URN')
    expect(p.logText()).not.toContain('gus@example.com')
  })

  it('voids the RapidPro delivery when the flow asks the person to correct a value', async () => {
    const p = await sandbox()
    p.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 40003, errorMessage: 'Error updating person: msisdn: Number is invalid.' } },
    )
    const res = await p.submit('rp-legacy', { email: 'hal@example.com', phone: '+385 91 123 4567' })
    expect(res.status).toBe(422)
    expect(p.rp.requests).toHaveLength(0)
    expect(rapidproDeliveries(p).map((d) => [d.status, d.payload])).toEqual([['rejected', null]])
  })

  it('leaves RapidPro to the worker when the flow fails for the operator', async () => {
    const p = await sandbox()
    p.fake?.setFlowStatus('10159347', 'INACTIVE')
    const res = await p.submit('rp-legacy', { email: 'ian@example.com' })
    expect(res.status).toBe(503)
    expect(p.rp.requests).toHaveLength(0)
    expect(rapidproDeliveries(p).map((d) => d.status)).toEqual(['pending'])
  })

  it('writes the demo welcome form to the sandbox RapidPro', async () => {
    proxy = await createTestProxy()
    const res = await proxy.submit('welcome', { email: 'demo@example.com', firstName: 'Demo', consent: true })
    expect(res.status).toBe(200)
    await runFollowUps(proxy)
    expect(proxy.rapidproFake?.contact('mailto:demo@example.com')).toMatchObject({
      name: 'Demo',
      language: 'eng',
      groups: [{ name: 'Newsletter' }],
      fields: { consent: 'true' },
    })
  })
})

describe('RapidPro over the wire', () => {
  it('sends POST /api/v2/contacts.json?urn=mailto%3A… with Token auth and no urns to RAPIDPRO_BASE_URL', async () => {
    const rp = createRapidproFake({ token: 'live-token', fields: [{ name: 'City' }] })
    server = await startRecordingServer(rp.fetch)
    proxy = await createTestProxy({ config, env: { rapidpro: { baseUrl: server.url, token: 'live-token' } } })
    expect(proxy.rapidproFake).toBeNull()
    expect(proxy.rapidpro).not.toBeNull()
    const res = await proxy.submit('rp-only', {
      email: 'Wire@Example.com',
      firstName: 'Wi',
      city: 'Zagreb',
      phone: '+385911234567',
    })
    expect(await res.json()).toEqual({ status: 'enrolled' })
    const [call] = server.requests
    expect(call).toMatchObject({ method: 'POST', path: CONTACTS, json: { name: 'Wi', fields: { city: 'Zagreb' } } })
    expect(new URL(call?.url ?? '').search).toBe('?urn=mailto%3Awire%40example.com')
    expect(call?.headers.authorization).toBe('Token live-token')
    expect(call?.headers['content-type']).toContain('application/json')

    await runFollowUps(proxy)
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${CONTACTS}`,
      'POST /api/v2/contact_actions.json',
      `GET ${CONTACTS}`,
      `POST ${CONTACTS}`,
    ])
    const update = server.requests[3]
    expect(update?.query.get('uuid')).toBe(rp.contact('mailto:wire@example.com')?.uuid)
    expect(update?.json).toEqual({ urns: ['mailto:wire@example.com', 'tel:+385911234567'], language: 'eng' })
    expect(server.requests.every((r) => r.headers.authorization === 'Token live-token')).toBe(true)
    expect(proxy.logText()).not.toContain('live-token')
  })

  it('skips RapidPro, with a warning, when Infobip is live and RapidPro is not configured', async () => {
    server = await startRecordingServer()
    const withFlows = { forms: config.forms.filter((f) => 'flow' in f) }
    expect(withFlows.forms.length).toBeGreaterThan(0)
    proxy = await createTestProxy({
      config: withFlows,
      infobip: { baseUrl: server.url, auth: { kind: 'app', apiKey: 'k' } },
    })
    expect(proxy.rapidpro).toBeNull()
    expect(proxy.rapidproFake).toBeNull()
    expect(proxy.logText()).toContain('RapidPro is not configured')
  })

  it('refuses to start when a form delivers only to RapidPro and RapidPro is not configured', async () => {
    server = await startRecordingServer()
    const infobip = { baseUrl: server.url, auth: { kind: 'app' as const, apiKey: 'k' } }
    await expect(createTestProxy({ config, infobip })).rejects.toThrow(
      /form "rp-only".* delivers only to RapidPro, but RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN are not set/,
    )
  })
})
