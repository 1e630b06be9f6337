// The same legacy Flow cases, run twice: against the sandbox fake in-process (ky → fake.fetch) and
// over real loopback HTTP through the recording server (with the fake answering behind it). Both
// must agree on the outcome and on the wire: path, query identifier, `personData` body, Authorization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrolLegacy, type LegacyFlow } from '../../proxy/delivery/targets/legacy-flow'
import type { DeliveryOutcome } from '../../proxy/delivery/outcome'
import { toPersonData } from '../../proxy/signup/person'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { FaultMatch, FaultResponse, InfobipFake } from '../../fakes/infobip-fake'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server'

const FLOW = SANDBOX_SEED.legacyCampaignId
const PATH = `/communication/1/flows/${FLOW}/participants`
const BASIC = `Basic ${Buffer.from('shop:pw-s3cret').toString('base64')}`
const FIELDS = {
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  externalId: 'externalId',
  pushRegistrationId: 'pushRegistrationId',
}

interface Wire {
  method: string
  path: string
  query: Record<string, string>
  authorization: string | null
  contentType: string | null
  json: unknown
}

interface Transport {
  name: string
  start(fake: InfobipFake): Promise<{ client: InfobipClient; wire: () => Wire[]; close(): Promise<void> }>
}

const inProcess: Transport = {
  name: 'in-process fake',
  async start(fake) {
    const wire: Wire[] = []
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const url = new URL(request.url)
      const text = await request.clone().text()
      wire.push({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.get('authorization'),
        contentType: request.headers.get('content-type'),
        json: text === '' ? undefined : (JSON.parse(text) as unknown),
      })
      return fake.fetch(request)
    }
    const client = new InfobipClient({
      baseUrl: 'https://xyz.api.infobip.com',
      auth: staticAuth({ kind: 'basic', username: 'shop', password: 'pw-s3cret' }),
      fetch,
    })
    return { client, wire: () => wire, close: async () => {} }
  },
}

const overHttp: Transport = {
  name: 'recording server',
  async start(fake) {
    const server: RecordingServer = await startRecordingServer(fake.fetch)
    const client = new InfobipClient({
      baseUrl: server.url,
      auth: staticAuth({ kind: 'basic', username: 'shop', password: 'pw-s3cret' }),
    })
    const wire = () =>
      server.requests.map((r) => ({
        method: r.method,
        path: r.path,
        query: Object.fromEntries(r.query),
        authorization: r.headers.authorization ?? null,
        contentType: r.headers['content-type'] ?? null,
        json: r.json,
      }))
    return { client, wire, close: () => server.close() }
  },
}

interface Case {
  name: string
  flow?: Partial<LegacyFlow>
  values: Record<string, string>
  /** Enrolments done first, on a flow of their own unless said otherwise; not part of the checked wire. */
  before?: { campaignId?: string; values: Record<string, string> }[]
  fault?: { match: FaultMatch; response: FaultResponse }
  outcome: DeliveryOutcome | Record<string, unknown>
  /** Query of each call, in order; each body carries `personData` (and the flow's variables). */
  queries: Record<string, string>[]
  personData?: unknown
}

const OTHER = SANDBOX_SEED.momentsCampaignId

const CASES: Case[] = [
  {
    name: 'new person: created without a query identifier, flowVariables passed through',
    flow: { flowVariables: { coupon: 'WELCOME10' } },
    values: { email: 'ann@example.com', firstName: 'Ann' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{}],
    personData: { firstName: 'Ann', contactInformation: { email: [{ address: 'ann@example.com' }] } },
  },
  {
    name: '40002 duplicate: one upsert retry with ?email=',
    before: [{ campaignId: OTHER, values: { email: 'ann@example.com' } }],
    values: { email: 'ann@example.com', firstName: 'Ann' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{}, { email: 'ann@example.com' }],
  },
  {
    name: '40002 duplicate without email: upsert with ?phone=',
    before: [{ campaignId: OTHER, values: { phone: '41793026727' } }],
    values: { phone: '+41 79 302 67 27' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{}, { phone: '41793026727' }],
  },
  {
    name: 'identifyBy phone: always ?phone=',
    flow: { identifyBy: 'phone' },
    values: { email: 'ann@example.com', phone: '41793026727' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{ phone: '41793026727' }],
  },
  {
    name: 'identifyBy externalId: always ?externalId=',
    flow: { identifyBy: 'externalId' },
    values: { email: 'ann@example.com', externalId: 'cust-7' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{ externalId: 'cust-7' }],
    personData: { externalId: 'cust-7', contactInformation: { email: [{ address: 'ann@example.com' }] } },
  },
  {
    name: 'identifyBy pushRegistrationId: ?pushRegistrationId=, not a custom attribute',
    flow: { identifyBy: 'pushRegistrationId' },
    values: { email: 'ann@example.com', pushRegistrationId: 'reg-1' },
    outcome: { kind: 'done', status: 'enrolled' },
    queries: [{ pushRegistrationId: 'reg-1' }],
    personData: { contactInformation: { email: [{ address: 'ann@example.com' }] } },
  },
  {
    name: '40001 bad request: operator failure',
    values: { firstName: 'Ann' },
    outcome: { kind: 'failed', upstreamCode: '40001' },
    queries: [{}],
  },
  {
    name: '40003 person manipulation failed: field error',
    values: { email: 'ann@example.com', phone: '12' },
    outcome: { kind: 'invalid', fields: { phone: ['Please check this phone number.'] } },
    queries: [{}],
  },
  {
    name: '40004 already in flow: already enrolled',
    before: [{ campaignId: FLOW, values: { email: 'ann@example.com' } }],
    values: { email: 'ann@example.com' },
    outcome: { kind: 'done', status: 'already_enrolled' },
    queries: [{}, { email: 'ann@example.com' }],
  },
  {
    name: '40005 flow inactive: operator failure',
    flow: { campaignId: SANDBOX_SEED.inactiveCampaignId },
    values: { email: 'ann@example.com' },
    outcome: { kind: 'failed', upstreamCode: '40005', status: 400 },
    queries: [{}],
  },
  {
    name: '40401 flow not found: operator failure',
    flow: { campaignId: '123456789' },
    values: { email: 'ann@example.com' },
    outcome: { kind: 'failed', upstreamCode: '40401', status: 404 },
    queries: [{}],
  },
  {
    name: '40402 person not found by externalId, nothing to create from: operator failure',
    flow: { identifyBy: 'externalId' },
    values: { externalId: 'cust-404', firstName: 'Nobody' },
    outcome: { kind: 'failed', upstreamCode: '40402', status: 404 },
    queries: [{ externalId: 'cust-404' }],
  },
  {
    name: '50001 internal server error: retry later',
    fault: {
      match: { method: 'POST', path: PATH },
      response: { status: 500, body: { errorCode: 50001, errorMessage: 'Internal server error' } },
    },
    values: { email: 'ann@example.com' },
    outcome: { kind: 'retry' },
    queries: [{}],
  },
]

describe.each([inProcess, overHttp])('legacy flow contract: $name', (transport) => {
  let fake: InfobipFake
  let session: Awaited<ReturnType<Transport['start']>>
  beforeAll(async () => {
    fake = createInfobipFake({ credentials: { username: 'shop', password: 'pw-s3cret' } })
    session = await transport.start(fake)
  })
  afterAll(() => session.close())

  it.each(CASES)('$name', async (c) => {
    fake.reset()
    for (const step of c.before ?? []) {
      await enrolLegacy(session.client, { campaignId: step.campaignId ?? OTHER }, toPersonData(step.values, FIELDS))
    }
    if (c.fault) {
      fake.failNext(c.fault.match, c.fault.response)
    }
    const skip = session.wire().length
    const flow: LegacyFlow = { campaignId: FLOW, ...c.flow }
    const outcome = await enrolLegacy(session.client, flow, toPersonData(c.values, FIELDS))
    expect(outcome).toMatchObject(c.outcome)
    const wire = session.wire().slice(skip)
    expect(wire.map((w) => w.query)).toEqual(c.queries)
    for (const call of wire) {
      expect(call.method).toBe('POST')
      expect(call.path).toBe(`/communication/1/flows/${flow.campaignId}/participants`)
      expect(call.authorization).toBe(BASIC)
      expect(call.contentType).toMatch(/^application\/json/)
      const body = call.json as { personData: unknown; flowVariables?: unknown }
      expect(body).toEqual({
        personData: c.personData ?? expect.any(Object),
        ...(flow.flowVariables ? { flowVariables: flow.flowVariables } : {}),
      })
    }
  })
})
