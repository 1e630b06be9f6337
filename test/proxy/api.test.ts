import { afterEach, describe, expect, it } from 'vitest'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

let proxy: TestProxy
afterEach(async () => {
  await proxy?.close()
})

async function sandbox(options: Parameters<typeof createTestProxy>[0] = {}): Promise<TestProxy> {
  proxy = await createTestProxy(options)
  return proxy
}

describe('public definition', () => {
  it('answers the configured fields and nothing about flows or upstream ids', async () => {
    const p = await sandbox()
    const res = await p.request('/v1/forms/welcome')
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP)
    const text = await res.text()
    const body = JSON.parse(text) as { id: string; fields: { name: string; type: string }[] }
    expect(body.id).toBe('welcome')
    expect(body.fields.map((f) => [f.name, f.type])).toEqual([
      ['email', 'email'],
      ['firstName', 'text'],
      ['consent', 'checkbox'],
    ])
    expect(text).not.toContain('200000000000001')
    expect(text).not.toMatch(/campaign|moments|flow/i)
  })

  it('maps an Infobip form to fields keyed by fieldId and hides its ids', async () => {
    const p = await sandbox()
    const res = await p.request('/v1/forms/newsletter')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('f7cf1606')
    const body = JSON.parse(text) as {
      fields: { name: string; type: string; required?: boolean }[]
      submitLabel?: string
    }
    const email = body.fields.find((f) => f.type === 'email')
    expect(email?.required).toBe(true)
    expect(body.fields.some((f) => f.type === 'title')).toBe(true)
    expect(body.submitLabel).toBeTruthy()
  })

  it('answers 404 JSON for an unknown form and 403 for a foreign origin', async () => {
    const p = await sandbox()
    const missing = await p.request('/v1/forms/nope')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: { code: 'form_not_found', message: expect.any(String) } })
    const foreign = await p.request('/v1/forms/welcome', { origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed')
  })

  it('answers CORS preflights only for allowed origins', async () => {
    const p = await sandbox()
    const ok = await p.request('/v1/forms/welcome/submissions', {
      method: 'OPTIONS',
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST')
    const bad = await p.request('/v1/forms/welcome/submissions', {
      method: 'OPTIONS',
      origin: 'https://evil.example',
      headers: { 'access-control-request-method': 'POST' },
    })
    expect(bad.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('views', () => {
  it('counts a view with 204 and forwards it to Infobip for Infobip forms', async () => {
    const p = await sandbox()
    const res = await p.request('/v1/forms/newsletter/views', { method: 'POST' })
    expect(res.status).toBe(204)
    await expect.poll(() => p.fake?.viewCount('f7cf1606-e155-40eb-9721-78183d268d24')).toBe(1)
  })

  it('refuses a view without an allowed Origin, before any upstream call', async () => {
    const p = await sandbox()
    expect((await p.request('/v1/forms/newsletter/views', { method: 'POST', origin: null })).status).toBe(403)
    expect(
      (await p.request('/v1/forms/newsletter/views', { method: 'POST', origin: 'https://evil.example' })).status,
    ).toBe(403)
    expect(p.fake?.requestCount).toBe(0)
  })
})

describe('bad submissions', () => {
  const cases: [string, RequestInit & { origin?: string | null }, number, string][] = [
    [
      'no origin',
      { method: 'POST', origin: null, headers: { 'content-type': 'application/json' }, body: '{"values":{}}' },
      403,
      'origin_not_allowed',
    ],
    [
      'foreign origin',
      {
        method: 'POST',
        origin: 'https://evil.example',
        headers: { 'content-type': 'application/json' },
        body: '{"values":{}}',
      },
      403,
      'origin_not_allowed',
    ],
    [
      'wrong content type',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"values":{}}' },
      415,
      'unsupported_media_type',
    ],
    [
      'malformed JSON',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"values":' },
      400,
      'bad_request',
    ],
    [
      'wrong shape',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.co"}' },
      400,
      'bad_request',
    ],
    [
      'nested junk',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"values":{"email":{"$ne":1}}}' },
      400,
      'bad_request',
    ],
    [
      'too large',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ values: { email: 'x'.repeat(20_000) } }),
      },
      413,
      'payload_too_large',
    ],
  ]
  for (const [name, init, status, code] of cases) {
    it(`answers ${status} ${code} for ${name}, with no upstream call`, async () => {
      const p = await sandbox()
      const res = await p.request('/v1/forms/welcome/submissions', init)
      expect(res.status).toBe(status)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code)
      expect(p.fake?.requestCount).toBe(0)
      expect(p.outbox.list()).toEqual([])
    })
  }

  it('answers 422 with per-field messages and calls no upstream', async () => {
    const p = await sandbox()
    const res = await p.submit('welcome', { email: 'not-an-email', consent: false, colour: 'red' })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string[]> } }
    expect(body.error.code).toBe('invalid_values')
    expect(body.error.fields.email).toEqual(['Please enter a valid email address.'])
    // The widget's wording for the same rule (proxy/signup/messages.ts shares it).
    expect(body.error.fields.consent).toEqual(['Please tick this box to continue.'])
    expect(body.error.fields.colour).toEqual(['This field is not part of the form.'])
    expect(p.fake?.requestCount).toBe(0)
  })

  it('answers 404 for submissions to an unknown form', async () => {
    const p = await sandbox()
    const res = await p.submit('missing', { email: 'a@example.com' })
    expect(res.status).toBe(404)
  })

  it('rate-limits submissions per client with 429 and Retry-After', async () => {
    const p = await sandbox({ rateLimits: { submissionsPerMinute: 2, viewsPerMinute: 10 } })
    await p.submit('welcome', { email: 'x' })
    await p.submit('welcome', { email: 'x' })
    const third = await p.submit('welcome', { email: 'x' })
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('60')
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
  })
})

describe('enrolment in the sandbox', () => {
  // The one proxy-level test of a repeated signup (test/e2e/signup.test.ts has the browser one).
  it('enrols through Moments, then says already_enrolled for the same email', async () => {
    const p = await sandbox()
    const first = await p.submit('welcome', { email: 'Ana@Example.com', firstName: 'Ana', consent: true })
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ status: 'enrolled' })
    const participants = p.fake?.flowParticipants('200000000000001') ?? []
    expect(participants).toHaveLength(1)
    expect(participants[0]?.person.firstName).toBe('Ana')
    expect(participants[0]?.person.contactInformation?.email?.[0]?.address).toBe('ana@example.com')
    const second = await p.submit('welcome', { email: 'ana@example.com', consent: true })
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ status: 'already_enrolled' })
    expect(p.outbox.counts().done).toBe(2)
  })

  it('enrols through the legacy API, retrying a duplicate person as an upsert', async () => {
    const p = await sandbox()
    expect(await (await p.submit('welcome-legacy', { email: 'bo@example.com', firstName: 'Bo' })).json()).toEqual({
      status: 'enrolled',
    })
    expect(await (await p.submit('welcome-legacy', { email: 'bo@example.com' })).json()).toEqual({
      status: 'already_enrolled',
    })
    const calls = (p.fake?.requests ?? []).filter((r) => r.path.startsWith('/communication/'))
    // create → 40002 duplicate → upsert with ?email= → 40004 already in flow
    expect(calls.map((c) => [c.search, c.status])).toEqual([
      ['', 200],
      ['', 400],
      ['?email=bo%40example.com', 400],
    ])
  })

  it('puts a 40003 person manipulation error on the field it concerns', async () => {
    const p = await sandbox()
    p.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 40003, errorMessage: 'Error updating person: msisdn: Number is invalid.' } },
    )
    const res = await p.submit('welcome-legacy', { email: 'cy@example.com', phone: '+385 91 123 4567' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toEqual({
      phone: ['Please check this phone number.'],
    })
  })

  it('tells the person to try later and the operator why when the flow is inactive', async () => {
    const p = await sandbox()
    p.fake?.setFlowStatus('10159347', 'INACTIVE')
    const res = await p.submit('welcome-legacy', { email: 'di@example.com' })
    expect(res.status).toBe(503)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('upstream_unavailable')
    expect(body.error.message).toMatch(/try again later/i)
    expect(JSON.stringify(body)).not.toMatch(/40005|inactive|infobip/i)
    expect(p.logText()).toContain('40005')
    expect(p.logText()).toContain('activate the flow in Infobip')
    expect(p.outbox.counts().failed).toBe(1)
  })

  it('queues the signup when Infobip fails, and the worker delivers it later', async () => {
    const p = await sandbox()
    p.fake?.failNext(
      { method: 'POST', path: /participants$/ },
      { status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'x' } } } },
    )
    const res = await p.submit('welcome', { email: 'eve@example.com', consent: true })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(p.fake?.flowParticipants('200000000000001')).toHaveLength(0)
    const [pending] = p.outbox.list({ status: 'pending' })
    expect(pending?.attempts).toBe(1)
    // Make it due now instead of after the backoff.
    p.outbox.retryLater(pending?.id ?? 0, 'test', 0)
    await p.worker.runOnce()
    await p.worker.runOnce()
    expect(p.fake?.flowParticipants('200000000000001')).toHaveLength(1)
    expect(p.outbox.counts()).toMatchObject({ pending: 0, done: 1 })
  })

  it('sends Infobip form data keyed by fieldId with source and campaign headers', async () => {
    const p = await sandbox()
    const res = await p.submit(
      'newsletter',
      { email: 'fay@example.com', first_name: 'Fay', consent: true },
      { context: { campaign: 'black-friday' } },
    )
    const body = (await res.json()) as unknown
    expect(body).toEqual({ status: 'enrolled' })
    const [submission] = p.fake?.formSubmissions('f7cf1606-e155-40eb-9721-78183d268d24') ?? []
    expect(submission).toMatchObject({
      values: { email: 'fay@example.com', first_name: 'Fay', consent: true },
      source: 'shop.example.com',
      campaign: 'black-friday',
    })
  })

  it("turns Infobip's form-data validation error into a field error", async () => {
    const p = await sandbox()
    p.fake?.failNext(
      { method: 'POST', path: /\/data$/ },
      {
        status: 400,
        body: {
          requestError: {
            serviceException: { messageId: 'BAD_REQUEST', text: 'first_name contains forbidden special characters' },
          },
        },
      },
    )
    const res = await p.submit('newsletter', { email: 'gil@example.com', first_name: 'Gil', consent: true })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toEqual({
      first_name: ['Please remove special characters.'],
    })
    expect(p.fake?.flowParticipants('200000000000001')).toHaveLength(0)
  })

  it('does not show a DRAFT Infobip form', async () => {
    const p = await sandbox({
      config: {
        forms: [{ id: 'draft', allowedOrigins: [SHOP], infobipFormId: '0a3c1c2e-0000-4000-8000-00000000d4af' }],
      },
    })
    expect((await p.request('/v1/forms/draft')).status).toBe(404)
  })
})

describe('service routes', () => {
  it('answers /healthz', async () => {
    const p = await sandbox()
    const res = await p.request('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', mode: 'sandbox' })
  })

  it('answers unknown paths with a JSON 404', async () => {
    const p = await sandbox()
    const res = await p.request('/nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/json')
  })
})

describe('error answers a shop can read', () => {
  it('lets a refused origin and an unknown form id read why, with no data in it', async () => {
    const p = await sandbox()
    const refused = await p.request('/v1/forms/welcome', { origin: 'https://other.example' })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://other.example')
    expect(await refused.json()).toEqual({
      error: {
        code: 'origin_not_allowed',
        message: 'This page\'s origin (https://other.example) is not in allowedOrigins of form "welcome".',
      },
    })
    await p.request('/v1/forms/welcome', { origin: 'https://other.example' })
    // The operator hears of it once, not per page view.
    expect(p.logText().match(/origin refused/g)).toHaveLength(1)
    const unknown = await p.request('/v1/forms/no-such-form', { origin: 'https://other.example' })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('access-control-allow-origin')).toBe('https://other.example')
  })
})

describe('rate limits behind a reverse proxy', () => {
  it('keys on the address the reverse proxy appended, so a client cannot pick its own key', async () => {
    const p = await createTestProxy({
      rateLimits: { submissionsPerMinute: 2, viewsPerMinute: 100 },
      runtime: { trustProxy: 1 },
    })
    proxy = p
    const spoofed = (i: number) =>
      p.request('/v1/forms/welcome/views', {
        method: 'POST',
        headers: { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` },
      })
    const views = await Promise.all([1, 2, 3].map(spoofed))
    expect(views.map((r) => r.status)).toEqual([204, 204, 204])
    const submit = (i: number) =>
      p.request('/v1/forms/welcome/submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` },
        body: JSON.stringify({ values: { email: 'x' } }),
      })
    const statuses = [(await submit(1)).status, (await submit(2)).status, (await submit(3)).status]
    expect(statuses).toEqual([422, 422, 429])
    // Another client behind the same reverse proxy has its own budget.
    const other = await p.request('/v1/forms/welcome/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' },
      body: JSON.stringify({ values: { email: 'x' } }),
    })
    expect(other.status).toBe(422)
  })

  it('reads the limits and TRUST_PROXY from the environment', async () => {
    const { readEnv } = await import('../../proxy/config/env')
    const env = readEnv({ FLOWFORM_SUBMISSIONS_PER_MINUTE: '600', FLOWFORM_VIEWS_PER_MINUTE: '6000', TRUST_PROXY: '1' })
    expect(env.rateLimits).toEqual({ submissionsPerMinute: 600, viewsPerMinute: 6000 })
    expect(env.trustProxy).toBe(1)
    expect(readEnv({}).rateLimits).toEqual({ submissionsPerMinute: 20, viewsPerMinute: 120 })
    expect(() => readEnv({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY: "yes" is not an IP address/)
    expect(readEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(1)
    expect(() => readEnv({ LOG_LEVEL: 'verbose' })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    )
  })
})
