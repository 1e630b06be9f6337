// Legacy "Add Person to Flow" enrolment (seed 000) against the sandbox fake: every row of the
// error table, the default create-then-upsert path and each `identifyBy`.
import { describe, expect, it } from 'vitest'
import { FlowformConfig } from '../../proxy/config/schema'
import { enrolLegacy, type LegacyFlow } from '../../proxy/delivery/targets/legacy-flow'
import { type PersonData, toPersonData } from '../../proxy/signup/person'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { InfobipFake } from '../../fakes/infobip-fake'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { createTestProxy, SHOP } from '../helpers/test-proxy'

const BASE = 'https://xyz123.api.infobip.com'
const FLOW = SANDBOX_SEED.legacyCampaignId
const IDENTITY = {
  email: 'email',
  phone: 'phone',
  firstName: 'firstName',
  externalId: 'externalId',
  pushRegistrationId: 'pushRegistrationId',
}

function setup() {
  const fake = createInfobipFake()
  const client = new InfobipClient({
    baseUrl: BASE,
    auth: staticAuth({ kind: 'app', apiKey: 'k' }),
    fetch: (input, init) => fake.fetch(new Request(input, init)),
  })
  return { fake, client }
}

const person = (values: Record<string, string>): PersonData => toPersonData(values, IDENTITY)
const flow = (extra: Partial<LegacyFlow> = {}): LegacyFlow => ({ campaignId: FLOW, ...extra })
const calls = (fake: InfobipFake) => fake.requests.map((r) => `${r.method} ${r.search} ${r.status ?? '-'}`)
const legacyError = (errorCode: number, errorMessage: string) => ({
  status: errorCode >= 50000 ? 500 : errorCode >= 40400 ? 404 : 400,
  body: { errorCode, errorMessage },
})

describe('legacy enrolment: default (no identifyBy)', () => {
  it('creates the person without a query identifier and passes flowVariables through', async () => {
    const { fake, client } = setup()
    const outcome = await enrolLegacy(
      client,
      flow({ flowVariables: { coupon: 'WELCOME10', tier: 2 } }),
      person({ email: 'ann@example.com', firstName: 'Ann' }),
    )
    expect(outcome).toEqual({ kind: 'done', status: 'enrolled' })
    expect(calls(fake)).toEqual(['POST  200'])
    expect(fake.flowParticipants(FLOW)).toEqual([
      expect.objectContaining({
        variables: { coupon: 'WELCOME10', tier: 2 },
        person: expect.objectContaining({ firstName: 'Ann' }),
      }),
    ])
  })

  it('40002 duplicate person: retries once as an upsert by ?email=', async () => {
    const { fake, client } = setup()
    await enrolLegacy(
      client,
      flow({ campaignId: SANDBOX_SEED.momentsCampaignId }),
      person({ email: 'ann@example.com' }),
    )
    const outcome = await enrolLegacy(client, flow(), person({ email: 'ann@example.com', firstName: 'Ann' }))
    expect(outcome).toEqual({ kind: 'done', status: 'enrolled' })
    expect(calls(fake).slice(1)).toEqual(['POST  400', 'POST ?email=ann%40example.com 200'])
    expect(fake.people).toHaveLength(1)
    expect(fake.people[0]?.firstName).toBe('Ann')
  })

  it('40002 duplicate person: upserts by ?phone= when there is no email', async () => {
    const { fake, client } = setup()
    await enrolLegacy(
      client,
      flow({ campaignId: SANDBOX_SEED.momentsCampaignId }),
      person({ phone: '+41 79 302 67 27' }),
    )
    expect(await enrolLegacy(client, flow(), person({ phone: '41793026727' }))).toEqual({
      kind: 'done',
      status: 'enrolled',
    })
    expect(calls(fake).slice(1)).toEqual(['POST  400', 'POST ?phone=41793026727 200'])
  })

  it('40002 again on the upsert (data clashes with another profile): operator failure', async () => {
    const { fake, client } = setup()
    const other = SANDBOX_SEED.momentsCampaignId
    await enrolLegacy(client, flow({ campaignId: other }), person({ email: 'ann@example.com' }))
    await enrolLegacy(client, flow({ campaignId: other }), person({ email: 'bob@example.com', phone: '41793026727' }))
    const outcome = await enrolLegacy(client, flow(), person({ email: 'ann@example.com', phone: '41793026727' }))
    expect(outcome).toMatchObject({ kind: 'failed', upstream: 'infobip-flow', upstreamCode: '40002', status: 400 })
    expect(calls(fake).slice(2)).toEqual(['POST  400', 'POST ?email=ann%40example.com 400'])
  })

  it('40001 bad request (no contact to create a person from): operator failure, no retry', async () => {
    const { fake, client } = setup()
    const outcome = await enrolLegacy(client, flow(), person({ firstName: 'Ann' }))
    expect(outcome).toMatchObject({
      kind: 'failed',
      upstreamCode: '40001',
      status: 400,
      reason: expect.stringContaining('malformed'),
    })
    expect(calls(fake)).toEqual(['POST  400'])
  })

  it('40003 person manipulation failed: a field error on the phone field', async () => {
    const { client } = setup()
    const outcome = await enrolLegacy(
      client,
      flow(),
      toPersonData({ email: 'ann@example.com', mobile: '12' }, { email: 'email', mobile: 'phone' }),
    )
    expect(outcome).toEqual({ kind: 'invalid', fields: { mobile: ['Please check this phone number.'] } })
  })

  it('40004 already in the flow: already enrolled (after the upsert retry)', async () => {
    const { fake, client } = setup()
    await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))
    expect(await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))).toEqual({
      kind: 'done',
      status: 'already_enrolled',
    })
    expect(calls(fake).slice(1)).toEqual(['POST  400', 'POST ?email=ann%40example.com 400'])
  })

  it('40005 flow inactive: operator failure', async () => {
    const { client } = setup()
    const outcome = await enrolLegacy(
      client,
      flow({ campaignId: SANDBOX_SEED.inactiveCampaignId }),
      person({ email: 'ann@example.com' }),
    )
    expect(outcome).toMatchObject({
      kind: 'failed',
      upstreamCode: '40005',
      reason: expect.stringContaining('inactive'),
    })
  })

  it('40401 flow not found: operator failure', async () => {
    const { client } = setup()
    const outcome = await enrolLegacy(client, flow({ campaignId: '999999' }), person({ email: 'ann@example.com' }))
    expect(outcome).toMatchObject({
      kind: 'failed',
      status: 404,
      upstreamCode: '40401',
      reason: expect.stringContaining('campaignId'),
    })
  })

  it('50001 internal server error: retried later, data kept', async () => {
    const { fake, client } = setup()
    fake.failNext({ method: 'POST', path: /^\/communication\// }, legacyError(50001, 'Internal server error'))
    expect(await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))).toMatchObject({ kind: 'retry' })
    expect(await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))).toEqual({
      kind: 'done',
      status: 'enrolled',
    })
  })

  it('50001 even under a 400 status: still a retry, never a failure', async () => {
    const { fake, client } = setup()
    fake.failNext(
      { method: 'POST', path: /^\/communication\// },
      { status: 400, body: { errorCode: 50001, errorMessage: 'Internal server error' } },
    )
    expect(await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))).toMatchObject({ kind: 'retry' })
  })

  it('a network failure: retried later', async () => {
    const { fake, client } = setup()
    fake.failNext({ method: 'POST', path: /^\/communication\// }, { networkError: true })
    expect(await enrolLegacy(client, flow(), person({ email: 'ann@example.com' }))).toMatchObject({ kind: 'retry' })
  })
})

describe('legacy enrolment: identifyBy', () => {
  it('email: always upserts with ?email=, creating a new person too', async () => {
    const { fake, client } = setup()
    expect(await enrolLegacy(client, flow({ identifyBy: 'email' }), person({ email: 'ann@example.com' }))).toEqual({
      kind: 'done',
      status: 'enrolled',
    })
    expect(calls(fake)).toEqual(['POST ?email=ann%40example.com 200'])
  })

  it('phone: always upserts with ?phone= (digits only)', async () => {
    const { fake, client } = setup()
    await enrolLegacy(
      client,
      flow({ identifyBy: 'phone' }),
      person({ email: 'ann@example.com', phone: '+41 79 302 67 27' }),
    )
    expect(calls(fake)).toEqual(['POST ?phone=41793026727 200'])
  })

  it('externalId: upserts by it; 40402 when nobody has it and there is no contact to create one', async () => {
    const { fake, client } = setup()
    await enrolLegacy(
      client,
      flow({ identifyBy: 'externalId' }),
      person({ externalId: 'cust-1', email: 'ann@example.com' }),
    )
    expect(calls(fake)).toEqual(['POST ?externalId=cust-1 200'])
    const missing = await enrolLegacy(
      client,
      flow({ identifyBy: 'externalId' }),
      person({ externalId: 'cust-2', firstName: 'Zed' }),
    )
    expect(missing).toMatchObject({
      kind: 'failed',
      status: 404,
      upstreamCode: '40402',
      reason: expect.stringContaining('no person matches'),
    })
  })

  it('pushRegistrationId: sent as the query identifier, not as a custom attribute', async () => {
    const { fake, client } = setup()
    const data = person({ pushRegistrationId: 'reg-123', email: 'ann@example.com', favourite: 'x' })
    expect(data.person.customAttributes).toEqual({ pushRegistrationId: 'reg-123' })
    await enrolLegacy(client, flow({ identifyBy: 'pushRegistrationId' }), data)
    expect(calls(fake)).toEqual(['POST ?pushRegistrationId=reg-123 200'])
    expect(fake.people[0]?.customAttributes).toEqual({})
    expect(await enrolLegacy(client, flow({ identifyBy: 'pushRegistrationId' }), data)).toEqual({
      kind: 'done',
      status: 'already_enrolled',
    })
  })

  it('a submission without the identifier falls back to create-then-upsert', async () => {
    const { fake, client } = setup()
    await enrolLegacy(client, flow({ identifyBy: 'externalId' }), person({ email: 'ann@example.com' }))
    expect(calls(fake)).toEqual(['POST  200'])
  })

  it('is validated by the config schema: a known identifier, with a field that carries it', () => {
    const form = (flowExtra: Record<string, unknown>, fields = [{ name: 'email', type: 'email' }]) => ({
      forms: [
        {
          id: 'f',
          allowedOrigins: ['https://shop.example.com'],
          fields,
          flow: { api: 'legacy', campaignId: '1', ...flowExtra },
        },
      ],
    })
    expect(FlowformConfig.safeParse(form({ identifyBy: 'email' })).success).toBe(true)
    const unknown = FlowformConfig.safeParse(form({ identifyBy: 'fax' }))
    expect(unknown.success).toBe(false)
    const noField = FlowformConfig.safeParse(form({ identifyBy: 'externalId' }))
    expect(noField.error?.issues[0]).toMatchObject({
      path: ['forms', 0, 'flow', 'identifyBy'],
      message: expect.stringContaining('no "externalId" field'),
    })
    expect(
      FlowformConfig.safeParse(
        form({ identifyBy: 'externalId' }, [
          { name: 'email', type: 'email' },
          { name: 'externalId', type: 'hidden' },
        ]),
      ).success,
    ).toBe(true)
  })
})

describe('legacy enrolment through the proxy', () => {
  it('uses the configured identifyBy and flowVariables for a submission', async () => {
    const proxy = await createTestProxy({
      config: {
        forms: [
          {
            id: 'members',
            allowedOrigins: [SHOP],
            fields: [
              { name: 'email', type: 'email', required: true },
              { name: 'externalId', type: 'text', required: true },
            ],
            flow: { api: 'legacy', campaignId: FLOW, identifyBy: 'externalId', flowVariables: { source: 'shop' } },
          },
        ],
      },
    })
    try {
      const res = await proxy.submit('members', { email: 'ann@example.com', externalId: 'cust-9' })
      expect(await res.json()).toEqual({ status: 'enrolled' })
      expect(proxy.fake?.requests.map((r) => `${r.method} ${r.path}${r.search}`)).toContain(
        `POST /communication/1/flows/${FLOW}/participants?externalId=cust-9`,
      )
      expect(proxy.fake?.flowParticipants(FLOW)[0]).toMatchObject({
        variables: { source: 'shop' },
        person: { externalId: 'cust-9' },
      })
    } finally {
      await proxy.close()
    }
  })
})
