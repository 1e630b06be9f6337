// Contract tests against Infobip's published OpenAPI document (test/fixtures/infobip-openapi): the
// requests the proxy's Infobip client sends, with payloads built by the proxy's own mapping, and
// every answer of the sandbox fake. A request or answer that drifts from the document fails here.
import { describe, expect, it } from 'vitest'
import { createInfobipFake, SANDBOX_SEED } from '../../fakes/infobip-fake'
import { participantOf } from '../../proxy/delivery/targets/moments'
import { toPersonData } from '../../proxy/signup/person'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { ibssoAuth, oauthAuth } from '../../proxy/upstreams/infobip/token-auth'
import { OpenApiContract, recording, type RecordedExchange } from './openapi'

const BASE = 'https://api.infobip.example'
const contract = new OpenApiContract()

/** The fake with fixed credentials, a recording fetch, and a client for the given scheme. */
function setup(auth: 'app' | 'basic' = 'app') {
  const fake = createInfobipFake({
    credentials: { apiKey: 'key', username: 'shop', password: 'pw', clientId: 'cid', clientSecret: 'cs' },
  })
  const wire = recording((request) => fake.fetch(request))
  const provider =
    auth === 'app'
      ? staticAuth({ kind: 'app', apiKey: 'key' })
      : staticAuth({ kind: 'basic', username: 'shop', password: 'pw' })
  const client = new InfobipClient({ baseUrl: BASE, auth: provider, fetch: wire.fetch, rateLimitRetries: 0 })
  return { fake, wire, client }
}

const person = toPersonData(
  {
    email: ' Ana.Horvat@Example.com ',
    phone: '+385 91 234 5678',
    firstName: 'Ana',
    city: 'Zagreb',
    birthDate: '1990-05-17',
    lang: 'hr_HR',
    shoeSize: '38',
    newsletter: true,
  },
  {
    email: 'email',
    phone: 'phone',
    firstName: 'firstName',
    city: 'city',
    birthDate: 'birthDate',
    lang: 'preferredLanguage',
    shoeSize: 'shoeSize',
    newsletter: 'newsletter',
  },
  ['Newsletter'],
)

function expectWithinSpec(exchanges: RecordedExchange[], options: { request: boolean } = { request: true }): void {
  expect(exchanges.length).toBeGreaterThan(0)
  expect(exchanges.flatMap((exchange) => contract.problems(exchange, options))).toEqual([])
}

const quiet = () => undefined

describe('the loaded document', () => {
  it('relaxes exactly the four known map-value flaws, and nothing else', () => {
    expect(contract.relaxed).toBe(4)
  })

  it('catches a drifting request and a drifting answer (the check is not vacuous)', () => {
    const exchange: RecordedExchange = {
      method: 'GET',
      path: '/forms/1/forms',
      query: new URLSearchParams({ formType: 'CSAT' }),
      headers: new Headers({ authorization: 'App key' }),
      body: '',
      status: 200,
      responseHeaders: new Headers({ 'content-type': 'application/json' }),
      responseBody: JSON.stringify({ forms: 'none' }),
    }
    const problems = contract.problems(exchange)
    expect(problems.some((p) => p.includes('request formType'))).toBe(true)
    expect(problems.some((p) => p.includes('response'))).toBe(true)
    const ibssoOnForm = contract.problems({
      ...exchange,
      path: '/forms/1/forms/x',
      query: new URLSearchParams(),
      headers: new Headers({ authorization: 'IBSSO t' }),
    })
    expect(ibssoOnForm.some((p) => p.includes('APIKeyHeader') || p.includes('"ibsso" scheme'))).toBe(true)
    const undeclared = contract.problems({
      ...exchange,
      method: 'POST',
      path: '/communication/1/flows/1/participants',
      query: new URLSearchParams({ pushRegistrationId: 'x' }),
      body: '{}',
      headers: new Headers({ authorization: 'App key', 'content-type': 'application/json' }),
      status: 200,
      responseBody: '',
    })
    expect(undeclared.some((p) => p.includes('pushRegistrationId'))).toBe(true)
  })
})

describe('Forms API: get, views, data', () => {
  it('requests and answers keep to the document', async () => {
    const { client, wire } = setup()
    await client.listForms({ limit: 100, formStatus: 'ACTIVE', formType: 'OPT_IN' })
    const form = await client.getForm(SANDBOX_SEED.activeFormId)
    await client.incrementViews(SANDBOX_SEED.activeFormId)
    await client.submitFormData(
      SANDBOX_SEED.activeFormId,
      { email: 'ana@example.com', firstName: 'Ana', consent: true },
      { source: 'shop.example.com', campaign: 'black-friday' },
    )
    expect(form.elements.length).toBeGreaterThan(0)
    await client.getForm('00000000-0000-4000-8000-000000000000').catch(quiet)
    await client.incrementViews('00000000-0000-4000-8000-000000000000').catch(quiet)
    await client.submitFormData(SANDBOX_SEED.activeFormId, { email: 'not an email' }).catch(quiet)
    await client.submitFormData(SANDBOX_SEED.draftFormId, { email: 'ana@example.com' }).catch(quiet)
    expect(wire.exchanges.map((e) => e.status)).toEqual([200, 200, 200, 200, 404, 404, 400, expect.any(Number)])
    expectWithinSpec(wire.exchanges)
  })

  it('answers within the document to what the proxy never sends (refusals)', async () => {
    const { fake, wire } = setup()
    const send = (path: string, init: RequestInit = {}) =>
      wire.fetch(`${BASE}${path}`, { ...init, headers: { authorization: 'App key', ...init.headers } })
    await send('/forms/1/forms?formType=CSAT')
    await send('/forms/1/forms?limit=1000')
    await send(`/forms/1/forms/${SANDBOX_SEED.activeFormId}`, { headers: { authorization: 'Basic c2hvcDpwdw==' } })
    await send(`/forms/1/forms/${SANDBOX_SEED.activeFormId}`, { headers: { authorization: 'App wrong' } })
    expect(wire.exchanges.map((e) => e.status)).toEqual([400, 400, 401, 401])
    expectWithinSpec(wire.exchanges, { request: false })
    expect(fake.requestCount).toBe(4)
  })
})

describe('Moments Flow API: add participants and the report', () => {
  it('requests and answers keep to the document', async () => {
    let t = Date.parse('2026-11-27T08:00:00Z')
    const fake = createInfobipFake({ now: () => t, reportDelayMs: 1_000, notify: async () => {} })
    const wire = recording((request) => fake.fetch(request))
    const client = new InfobipClient({
      baseUrl: BASE,
      auth: staticAuth({ kind: 'app', apiKey: 'key' }),
      fetch: wire.fetch,
    })
    const participant = participantOf(person, { orderNumber: 1234, coupon: 'BF26' })
    const other = participantOf(toPersonData({ phone: '+41793026727' }, { phone: 'phone' }), undefined)
    expect(participant).not.toBeNull()
    const operationId = await client.addMomentsParticipants(SANDBOX_SEED.momentsCampaignId, {
      participants: [participant!, other!],
      notifyUrl: 'https://proxy.example/v1/hooks/moments?secret=s',
      callbackData: 'batch-1',
    })
    await client.getMomentsReport(SANDBOX_SEED.momentsCampaignId, operationId)
    t += 1_000
    const report = await client.getMomentsReport(SANDBOX_SEED.momentsCampaignId, operationId)
    expect(report.participants.map((p) => p.status)).toEqual(['ACCEPTED', 'ACCEPTED'])
    fake.rejectNext('REJECTED_NOT_ENOUGH_CREDITS')
    const rejected = await client.addMomentsParticipants(SANDBOX_SEED.momentsCampaignId, {
      participants: [participant!],
    })
    await client.getMomentsReport(SANDBOX_SEED.momentsCampaignId, rejected)
    await client.getMomentsReport(SANDBOX_SEED.momentsCampaignId, 'no-such-operation').catch(quiet)
    await client.addMomentsParticipants('424242', { participants: [participant!] }).catch(quiet)
    expect(wire.exchanges.map((e) => e.status)).toEqual([200, 200, 200, 200, 200, 404, 404])
    expectWithinSpec(wire.exchanges)
    await fake.settled()
  })

  it('answers within the document to malformed batches', async () => {
    const { wire } = setup()
    const add = (body: string) =>
      wire.fetch(`${BASE}/moments/1/flows/${SANDBOX_SEED.momentsCampaignId}/participants`, {
        method: 'POST',
        headers: { authorization: 'App key', 'content-type': 'application/json' },
        body,
      })
    await add('{"participants": []}')
    await add('{"participants": [{"identifyBy": {"identifier": "x@y.co", "type": "SMS"}}]}')
    await add('{"participants": ')
    await add('')
    expect(wire.exchanges.map((e) => e.status)).toEqual([400, 400, 400, 400])
    expectWithinSpec(wire.exchanges, { request: false })
  })
})

describe('legacy Flow API: add and remove', () => {
  it('requests and answers keep to the document', async () => {
    const { client, wire } = setup('basic')
    const flow = SANDBOX_SEED.legacyCampaignId
    await client.addLegacyParticipant(flow, undefined, { personData: person.person, flowVariables: { orderNumber: 7 } })
    await client
      .addLegacyParticipant(flow, { email: 'ana.horvat@example.com' }, { personData: person.person })
      .catch(quiet)
    await client.removeParticipant(flow, { email: 'ana.horvat@example.com' })
    await client.removeParticipant(flow, { email: 'ana.horvat@example.com' }).catch(quiet)
    await client
      .addLegacyParticipant(SANDBOX_SEED.inactiveCampaignId, { email: 'ana.horvat@example.com' }, undefined)
      .catch(quiet)
    await client.removeParticipant('999', { phone: '41793026727' }).catch(quiet)
    expect(wire.exchanges.map((e) => e.status)).toEqual([200, 400, 200, 400, 400, 404])
    expectWithinSpec(wire.exchanges)
  })
})

describe('auth: IBSSO sessions and OAuth tokens', () => {
  it('requests and answers keep to the document', async () => {
    const fake = createInfobipFake({
      credentials: { apiKey: 'key', username: 'shop', password: 'pw', clientId: 'cid', clientSecret: 'cs' },
    })
    const wire = recording((request) => fake.fetch(request))
    const options = { baseUrl: BASE, fetch: wire.fetch }
    const ibsso = ibssoAuth({ username: 'shop', password: 'pw' }, options)
    const client = new InfobipClient({ baseUrl: BASE, auth: ibsso, fetch: wire.fetch })
    await client.listForms({ limit: 1 })
    await client.close()
    await ibssoAuth({ username: 'shop', password: 'wrong' }, options).header().catch(quiet)
    const oauth = oauthAuth({ clientId: 'cid', clientSecret: 'cs' }, options)
    await new InfobipClient({ baseUrl: BASE, auth: oauth, fetch: wire.fetch }).listForms({ limit: 1 })
    await oauthAuth({ clientId: 'cid', clientSecret: 'nope' }, options).header().catch(quiet)
    expect(wire.exchanges.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'POST /auth/1/session 200',
      'GET /forms/1/forms 200',
      'DELETE /auth/1/session 200',
      'POST /auth/1/session 401',
      'POST /auth/1/oauth2/token 200',
      'GET /forms/1/forms 200',
      'POST /auth/1/oauth2/token 401',
    ])
    // The 401 of POST /auth/1/session is not documented for that operation: its answer is left out.
    const documented = wire.exchanges.filter((e) => !(e.path === '/auth/1/session' && e.status === 401))
    expectWithinSpec(documented)
  })
})
