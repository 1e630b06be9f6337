import { describe, expect, it } from 'vitest'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { InfobipFake, InfobipFakeOptions, SeedForm } from '../../fakes/infobip-fake'
import { startRecordingServer } from '../helpers/recording-server'

const BASE = 'https://xyz123.api.infobip.com'
const APP_AUTH = { authorization: 'App test-key' }

interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

async function send(
  fake: InfobipFake,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = APP_AUTH,
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    if (typeof body !== 'string') {
      init.headers = { 'content-type': 'application/json', ...headers }
    }
  }
  const res = await fake.fetch(`${BASE}${path}`, init)
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: text === '' ? undefined : JSON.parse(text) }
}

const serviceError = (messageId: string, text: string) => ({ requestError: { serviceException: { messageId, text } } })
const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
})

function clock(start = Date.parse('2025-03-01T10:00:00Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

const formPath = (id: string) => `/forms/1/forms/${id}`
/** Every scheme may list forms; get form, views and data take only an API key. */
const LIST = '/forms/1/forms'
const FORM = SANDBOX_SEED.activeFormId

describe('infobip fake: authentication', () => {
  it('refuses a request without Authorization with the documented 401 body', async () => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'GET', LIST, undefined, {})
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual(serviceError('UNAUTHORIZED', 'Invalid login details'))
  })

  it('refuses unknown schemes and empty credentials, accepts App and Basic by default', async () => {
    const fake = createInfobipFake()
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'Token abc' })).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'App ' })).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'Basic !!!' })).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'App anything' })).status).toBe(200)
    expect((await send(fake, 'GET', LIST, undefined, basic('user', 'pw'))).status).toBe(200)
  })

  it('checks fixed credentials for every scheme', async () => {
    const fake = createInfobipFake({ credentials: { apiKey: 'right-key', username: 'shop', password: 's3cret' } })
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'App wrong-key' })).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'App right-key' })).status).toBe(200)
    expect((await send(fake, 'GET', LIST, undefined, basic('shop', 'nope'))).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, basic('shop', 's3cret'))).status).toBe(200)
  })

  it('refuses a scheme the fixed credentials do not configure', async () => {
    const fake = createInfobipFake({ credentials: { apiKey: 'only-key' } })
    expect((await send(fake, 'GET', LIST, undefined, basic('someone', 'pw'))).status).toBe(401)
  })

  it('issues IBSSO session tokens, honours them and ends them on DELETE', async () => {
    const fake = createInfobipFake({ credentials: { username: 'shop', password: 's3cret' } })
    const refused = await send(fake, 'POST', '/auth/1/session', { username: 'shop', password: 'bad' }, {})
    expect(refused.status).toBe(401)
    const created = await send(fake, 'POST', '/auth/1/session', { username: 'shop', password: 's3cret' }, {})
    expect(created.status).toBe(200)
    const { token } = created.json as { token: string }
    expect(token).toMatch(/^\w{16,}$/)
    const ibsso = { authorization: `IBSSO ${token}` }
    expect((await send(fake, 'GET', LIST, undefined, ibsso)).status).toBe(200)
    // The spec answers 200 OK.
    expect((await send(fake, 'DELETE', '/auth/1/session', undefined, ibsso)).status).toBe(200)
    expect((await send(fake, 'GET', LIST, undefined, ibsso)).status).toBe(401)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'IBSSO made-up' })).status).toBe(401)
  })

  it('answers 400 to a session request without username and password', async () => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'POST', '/auth/1/session', { username: 'x' }, {})
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual(serviceError('BAD_REQUEST', 'Bad request'))
  })

  it('expires an idle IBSSO session after 60 minutes', async () => {
    const time = clock()
    const fake = createInfobipFake({ now: time.now })
    const { token } = (await send(fake, 'POST', '/auth/1/session', { username: 'u', password: 'p' }, {})).json as {
      token: string
    }
    time.advance(59 * 60_000)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: `IBSSO ${token}` })).status).toBe(200)
    time.advance(60 * 60_000 + 1)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: `IBSSO ${token}` })).status).toBe(401)
  })

  it('issues OAuth client-credentials tokens that work as Bearer until they expire', async () => {
    const time = clock()
    const fake = createInfobipFake({ now: time.now })
    const res = await fake.fetch(`${BASE}/auth/1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'cid', client_secret: 'csecret', grant_type: 'client_credentials' }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string }
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' })
    const bearer = { authorization: `Bearer ${body.access_token}` }
    expect((await send(fake, 'GET', LIST, undefined, bearer)).status).toBe(200)
    expect((await send(fake, 'GET', LIST, undefined, { authorization: 'Bearer forged' })).status).toBe(401)
    time.advance(3600 * 1000)
    expect((await send(fake, 'GET', LIST, undefined, bearer)).status).toBe(401)
  })

  it('refuses a bad OAuth grant type and missing client credentials', async () => {
    const fake = createInfobipFake()
    const token = (params: Record<string, string>) =>
      fake.fetch(`${BASE}/auth/1/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
      })
    const badGrant = await token({ client_id: 'a', client_secret: 'b', grant_type: 'password' })
    expect(badGrant.status).toBe(400)
    expect(await badGrant.json()).toMatchObject({ error: 'unsupported_grant_type' })
    const noClient = await token({ grant_type: 'client_credentials' })
    expect(noClient.status).toBe(401)
    // OAuthApiException: the deprecated `error` and Infobip's requestError, no error_description.
    expect(await noClient.json()).toEqual({
      error: 'invalid_client',
      ...serviceError('UNAUTHORIZED', 'Bad client credentials'),
    })
  })

  it('takes only the API-key scheme on get form, views and data, as the spec declares', async () => {
    const fake = createInfobipFake()
    const session = (await send(fake, 'POST', '/auth/1/session', { username: 'u', password: 'p' }, {})).json as {
      token: string
    }
    for (const path of [formPath(FORM), `${formPath(FORM)}/views`, `${formPath(FORM)}/data`]) {
      const method = path === formPath(FORM) ? 'GET' : 'POST'
      for (const headers of [basic('u', 'p'), { authorization: `IBSSO ${session.token}` }]) {
        const answer = await send(fake, method, path, method === 'POST' ? {} : undefined, headers)
        expect(answer).toMatchObject({ status: 401, json: serviceError('UNAUTHORIZED', 'Invalid login details') })
      }
    }
    expect((await send(fake, 'GET', LIST, undefined, basic('u', 'p'))).status).toBe(200)
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
  })
})

describe('infobip fake: rate limit, faults, routing', () => {
  it('answers 429 TOO_MANY_REQUESTS with Retry-After beyond N requests per rolling second', async () => {
    const time = clock()
    const fake = createInfobipFake({ rateLimitPerSecond: 2, now: time.now })
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
    time.advance(400)
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
    const limited = await send(fake, 'GET', formPath(FORM))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(limited.json).toEqual(serviceError('TOO_MANY_REQUESTS', 'Too many requests'))
    // Another account has its own budget.
    expect((await send(fake, 'GET', formPath(FORM), undefined, { authorization: 'App other' })).status).toBe(200)
    // The first request leaves the window after one second, the second one 400 ms later.
    time.advance(600)
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(429)
  })

  it('plays scripted failures the given number of times, then behaves normally', async () => {
    const fake = createInfobipFake()
    fake.failNext(
      { method: 'POST', path: `${formPath(FORM)}/views` },
      { status: 503, body: { oops: true }, headers: { 'x-test': 'yes' } },
      2,
    )
    // A GET to another path does not consume the fault.
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
    const first = await send(fake, 'POST', `${formPath(FORM)}/views`)
    expect(first.status).toBe(503)
    expect(first.json).toEqual({ oops: true })
    expect(first.headers.get('x-test')).toBe('yes')
    expect((await send(fake, 'POST', `${formPath(FORM)}/views`)).status).toBe(503)
    expect((await send(fake, 'POST', `${formPath(FORM)}/views`)).status).toBe(200)
    expect(fake.viewCount(FORM)).toBe(1)
  })

  it('matches faults by RegExp and can simulate a network error', async () => {
    const fake = createInfobipFake()
    fake.failNext({ path: /\/participants$/ }, { networkError: true })
    await expect(
      send(fake, 'POST', `/moments/1/flows/${SANDBOX_SEED.momentsCampaignId}/participants`, { participants: [] }),
    ).rejects.toThrow(TypeError)
    const after = await send(fake, 'POST', `/moments/1/flows/${SANDBOX_SEED.momentsCampaignId}/participants`, {
      participants: [],
    })
    expect(after.status).toBe(400)
  })

  it('logs every request with method, path and status', async () => {
    const fake = createInfobipFake()
    await send(fake, 'GET', `/forms/1/forms?limit=1`)
    await send(fake, 'GET', '/nope', undefined, {})
    expect(fake.requestCount).toBe(2)
    expect(fake.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/forms/1/forms', search: '?limit=1', status: 200 }),
      expect.objectContaining({ method: 'GET', path: '/nope', status: 401 }),
    ])
  })

  it('reset forgets recorded state and faults but keeps the seed', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', `${formPath(FORM)}/data`, { email: 'a@b.co', consent: true })
    await send(fake, 'POST', `/communication/1/flows/${SANDBOX_SEED.legacyCampaignId}/participants?email=a%40b.co`)
    fake.failNext({ path: formPath(FORM) }, { status: 500 })
    fake.reset()
    expect(fake.people).toEqual([])
    expect(fake.formSubmissions(FORM)).toEqual([])
    expect(fake.flowParticipants(SANDBOX_SEED.legacyCampaignId)).toEqual([])
    expect(fake.requestCount).toBe(0)
    expect((await send(fake, 'GET', formPath(FORM))).status).toBe(200)
  })

  it('answers unknown paths and methods with 404 NOT_FOUND', async () => {
    const fake = createInfobipFake()
    const unknown = await send(fake, 'GET', '/sms/2/text/advanced')
    expect(unknown.status).toBe(404)
    expect(unknown.json).toMatchObject({ requestError: { serviceException: { messageId: 'NOT_FOUND' } } })
    expect((await send(fake, 'DELETE', formPath(FORM))).status).toBe(404)
  })

  it('turns an internal failure into 500 GENERAL_ERROR instead of throwing', async () => {
    const errors: unknown[] = []
    const broken: SeedForm = {
      id: 'broken',
      name: 'Broken',
      elements: [{ component: 'TEXT', fieldId: 'x', validationRules: { pattern: '(' } }],
      createdAt: '2022-07-11T06:38:12.757+0000',
      updatedAt: '2022-07-11T06:38:12.757+0000',
      resubmitEnabled: true,
      formType: 'OPT_IN',
      formStatus: 'ACTIVE',
    }
    const fake = createInfobipFake({ forms: [broken], onError: (e) => errors.push(e) })
    const answer = await send(fake, 'POST', formPath('broken') + '/data', { x: 'y' })
    expect(answer.status).toBe(500)
    expect(answer.json).toEqual(serviceError('GENERAL_ERROR', 'Something went wrong. Please contact support.'))
    expect(errors).toHaveLength(1)
  })
})

describe('infobip fake: Forms API', () => {
  it('lists forms with paging and filters', async () => {
    const fake = createInfobipFake()
    const all = await send(fake, 'GET', '/forms/1/forms')
    expect(all.status).toBe(200)
    const body = all.json as { forms: SeedForm[]; offset: number; limit: number; total: number }
    expect(body).toMatchObject({ offset: 0, limit: 25, total: 3 })
    expect(body.forms.map((f) => f.id)).toEqual([FORM, SANDBOX_SEED.draftFormId, SANDBOX_SEED.disabledFormId])

    const active = (await send(fake, 'GET', '/forms/1/forms?formStatus=ACTIVE')).json as { forms: SeedForm[] }
    expect(active.forms.map((f) => f.id)).toEqual([FORM])
    const page = (await send(fake, 'GET', '/forms/1/forms?offset=1&limit=1')).json
    expect(page).toMatchObject({ offset: 1, limit: 1, total: 3, forms: [{ id: SANDBOX_SEED.draftFormId }] })
    const optOut = (await send(fake, 'GET', '/forms/1/forms?formType=OPT_OUT')).json
    expect(optOut).toMatchObject({ total: 0, forms: [] })
    expect((await send(fake, 'GET', '/forms/1/forms?limit=101')).status).toBe(400)
    expect((await send(fake, 'GET', '/forms/1/forms?formStatus=LIVE')).status).toBe(400)
  })

  it('returns the seeded newsletter form in ApiFormDto shape', async () => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'GET', formPath(FORM))
    expect(answer.status).toBe(200)
    const form = answer.json as SeedForm
    expect(form).toMatchObject({
      id: FORM,
      name: 'Company Newsletter',
      resubmitEnabled: true,
      formType: 'OPT_IN',
      formStatus: 'ACTIVE',
      actionAfterSubmission: { type: 'MESSAGE', value: 'Thanks for subscribing!' },
    })
    expect(form.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/)
    expect(form.updatedAt).toMatch(/\+0000$/)
    expect(form.elements.map((e) => e.component)).toEqual([
      'TITLE',
      'DESCRIPTION',
      'TEXT',
      'TEXT',
      'EMAIL',
      'MSISDN',
      'DROPDOWN',
      'CHECKBOX_GROUP',
      'RADIOBUTTON',
      'DATE',
      'CHECKBOX',
      'TEXT',
      'SUBMIT_BUTTON',
    ])
    const byId = new Map(form.elements.map((e) => [e.fieldId, e]))
    expect(byId.get('email')).toMatchObject({
      personField: 'email',
      isRequired: true,
      validationRules: { maxLength: 1000 },
    })
    expect(byId.get('first_name')?.validationRules?.forbiddenSymbols).toContain('\\')
    expect(byId.get('offer_id')).toMatchObject({ isHidden: true })
    expect(byId.get('consent')).toMatchObject({ isRequired: true, checkboxText: expect.any(String) })
    expect(form.elements.at(-1)).toEqual({ component: 'SUBMIT_BUTTON', label: 'Subscribe' })
  })

  it('answers 404 Form is not found for an unknown form', async () => {
    const fake = createInfobipFake()
    for (const [method, path] of [
      ['GET', formPath('nope')],
      ['POST', `${formPath('nope')}/views`],
      ['POST', `${formPath('nope')}/data`],
    ] as const) {
      const answer = await send(fake, method, path, method === 'POST' ? {} : undefined)
      expect(answer.status).toBe(404)
      expect(answer.json).toEqual(serviceError('NOT_FOUND', 'Form is not found'))
    }
  })

  it('counts views per form', async () => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'POST', `${formPath(FORM)}/views`)
    expect(answer).toMatchObject({ status: 200, json: { status: 'OK' } })
    await send(fake, 'POST', `${formPath(FORM)}/views`)
    expect(fake.viewCount(FORM)).toBe(2)
    expect(fake.viewCount(SANDBOX_SEED.draftFormId)).toBe(0)
  })

  it('accepts valid JSON data, records it with the analytics headers and creates the person', async () => {
    const fake = createInfobipFake()
    const values = {
      first_name: 'Jane',
      email: 'jane@example.com',
      phone: '41793026727',
      company_size: '11-50',
      interests: ['events', 'offers'],
      frequency: 'weekly',
      birth_date: '1990-05-01',
      consent: true,
      offer_id: 'WELCOME10',
    }
    const answer = await send(fake, 'POST', `${formPath(FORM)}/data`, values, {
      ...APP_AUTH,
      'ib-submission-source': 'webshop',
      'ib-submission-form-campaign': 'spring',
    })
    expect(answer).toMatchObject({ status: 200, json: { status: 'OK' } })
    expect(fake.formSubmissions(FORM)).toEqual([
      expect.objectContaining({ values, source: 'webshop', campaign: 'spring', contentType: 'application/json' }),
    ])
    expect(fake.people).toEqual([
      expect.objectContaining({
        firstName: 'Jane',
        birthDate: '1990-05-01',
        origin: 'FORMS',
        contactInformation: expect.objectContaining({
          email: [{ address: 'jane@example.com' }],
          phone: [{ number: '41793026727' }],
        }),
      }),
    ])
  })

  it('accepts application/x-www-form-urlencoded with repeated keys as a list', async () => {
    const fake = createInfobipFake()
    const res = await fake.fetch(`${BASE}${formPath(FORM)}/data`, {
      method: 'POST',
      headers: { ...APP_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=john.doe%40example.com&consent=true&interests=events&interests=offers',
    })
    expect(res.status).toBe(200)
    const [submission] = fake.formSubmissions(FORM)
    expect(submission?.values).toEqual({
      email: 'john.doe@example.com',
      consent: 'true',
      interests: ['events', 'offers'],
    })
    expect(submission?.source).toBeUndefined()
  })

  it.each([
    [{ consent: true }, 'No data was submitted for a mandatory field: email'],
    [{ email: 'jane@example.com', consent: false }, 'No data was submitted for a mandatory field: consent'],
    [{ email: 'not-an-email', consent: true }, 'email should have a valid email format'],
    [{ email: 'a@b.co', consent: true, phone: 'call me' }, 'phone is not a valid phone number'],
    [{ email: 'a@b.co', consent: true, phone: '+41 79 302' }, 'phone number is not numeric'],
    [
      { email: 'a@b.co', consent: true, phone: '0793026727' },
      'phone number does not have valid country/network prefix',
    ],
    [{ email: 'a@b.co', consent: true, phone: '4179' }, 'phone number has invalid length for network'],
    [{ email: 'a@b.co', consent: true, company_size: 'huge' }, 'company_size should be one of valid options'],
    [{ email: 'a@b.co', consent: true, interests: ['events', 'golf'] }, 'interests should be one of valid options'],
    [{ email: 'a@b.co', consent: true, frequency: 'daily' }, 'frequency should be one of valid options'],
    [
      { email: 'a@b.co', consent: true, first_name: 'Robert"); DROP' },
      'first_name contains forbidden special characters',
    ],
    [
      { email: 'a@b.co', consent: true, birth_date: '01/05/1990' },
      'birth_date should be an ISO date, but there is 01/05/1990',
    ],
    [{ email: 'a@b.co', consent: true, birth_date: '2999-01-01' }, 'birth_date should be earlier than current date'],
    [
      { email: 'a@b.co', consent: true, last_name: 'x'.repeat(256) },
      'last_name should not be longer than 255 characters',
    ],
  ])('refuses %j with 400 BAD_REQUEST "%s"', async (values, text) => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'POST', `${formPath(FORM)}/data`, values)
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual(serviceError('BAD_REQUEST', text))
    expect(fake.formSubmissions(FORM)).toEqual([])
    expect(fake.people).toEqual([])
  })

  it('reports every invalid field in one text', async () => {
    const fake = createInfobipFake()
    const answer = await send(fake, 'POST', `${formPath(FORM)}/data`, { phone: 'abc' })
    expect(answer.json).toEqual(
      serviceError(
        'BAD_REQUEST',
        'No data was submitted for a mandatory field: email, phone is not a valid phone number, ' +
          'No data was submitted for a mandatory field: consent',
      ),
    )
  })

  it('refuses malformed JSON and non-object bodies with 400', async () => {
    const fake = createInfobipFake()
    const headers = { ...APP_AUTH, 'content-type': 'application/json' }
    expect((await send(fake, 'POST', `${formPath(FORM)}/data`, '{"email":', headers)).json).toEqual(
      serviceError('BAD_REQUEST', 'Bad request'),
    )
    expect((await send(fake, 'POST', `${formPath(FORM)}/data`, '[1,2]', headers)).status).toBe(400)
  })

  it('refuses submissions to DRAFT and DISABLED forms with 403', async () => {
    const fake = createInfobipFake()
    for (const id of [SANDBOX_SEED.draftFormId, SANDBOX_SEED.disabledFormId]) {
      const answer = await send(fake, 'POST', `${formPath(id)}/data`, { email: 'a@b.co' })
      expect(answer.status).toBe(403)
      expect(answer.json).toEqual(serviceError('FORBIDDEN', 'Form is not submittable using the API'))
    }
    fake.setFormStatus(SANDBOX_SEED.draftFormId, 'ACTIVE')
    expect((await send(fake, 'POST', `${formPath(SANDBOX_SEED.draftFormId)}/data`, { email: 'a@b.co' })).status).toBe(
      200,
    )
  })
})

describe('infobip fake over real HTTP', () => {
  async function withServer(options: InfobipFakeOptions, run: (fake: InfobipFake, url: string) => Promise<void>) {
    const fake = createInfobipFake(options)
    const server = await startRecordingServer(fake.fetch)
    try {
      await run(fake, server.url)
    } finally {
      await server.close()
    }
    return server
  }

  it('serves the fake on loopback and records exactly what was sent', async () => {
    const server = await withServer({}, async (fake, url) => {
      const res = await fetch(`${url}/forms/1/forms/${FORM}/data?trace=1`, {
        method: 'POST',
        headers: {
          Authorization: 'App loopback-key',
          'Content-Type': 'application/json',
          'IB-Submission-Source': 'demo',
        },
        body: JSON.stringify({ email: 'loop@example.com', consent: true }),
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'OK' })
      expect(fake.formSubmissions(FORM)).toEqual([
        expect.objectContaining({ values: { email: 'loop@example.com', consent: true }, source: 'demo' }),
      ])
    })
    expect(server.requests).toHaveLength(1)
    const [recorded] = server.requests
    expect(recorded).toMatchObject({
      method: 'POST',
      path: `/forms/1/forms/${FORM}/data`,
      body: '{"email":"loop@example.com","consent":true}',
      json: { email: 'loop@example.com', consent: true },
    })
    expect(recorded?.query.get('trace')).toBe('1')
    expect(recorded?.headers).toMatchObject({
      authorization: 'App loopback-key',
      'content-type': 'application/json',
      'ib-submission-source': 'demo',
    })
  })

  it('passes error statuses and headers through the socket', async () => {
    await withServer({ rateLimitPerSecond: 1 }, async (_fake, url) => {
      const get = () => fetch(`${url}/forms/1/forms`, { headers: { authorization: 'App k' } })
      expect((await get()).status).toBe(200)
      const limited = await get()
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toBe('1')
      const unauthenticated = await fetch(`${url}/forms/1/forms`)
      expect(unauthenticated.status).toBe(401)
      expect(await unauthenticated.json()).toEqual(serviceError('UNAUTHORIZED', 'Invalid login details'))
    })
  })
})
