import { describe, expect, it } from 'vitest'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { InfobipFake } from '../../fakes/infobip-fake'

const BASE = 'https://xyz123.api.infobip.com'
const FLOW = SANDBOX_SEED.legacyCampaignId
const path = (query = '', campaignId: string = FLOW) => `/communication/1/flows/${campaignId}/participants${query}`

async function send(fake: InfobipFake, method: string, target: string, body?: unknown) {
  // Form data takes only an API key (the spec's security for it); the flow API takes Basic too.
  const authorization = target.startsWith('/forms/')
    ? 'App sandbox-key'
    : 'Basic ' + Buffer.from('shop:pw').toString('base64')
  const res = await fake.fetch(`${BASE}${target}`, {
    method,
    headers: {
      authorization,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

const janeData = {
  personData: {
    firstName: 'Jane',
    lastName: 'Williams',
    contactInformation: { email: [{ address: 'Jane.Williams@Example.com' }] },
  },
  flowVariables: { coupon: 'WELCOME10' },
}

const error = (status: number, errorCode: number, errorMessage: string) => ({
  status,
  text: JSON.stringify({ errorCode, errorMessage }),
  json: { errorCode, errorMessage },
})

describe('legacy flow API: add person', () => {
  it('creates the person and adds them, answering 200 with an empty body', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'POST', path(), janeData)).toEqual({ status: 200, text: '', json: undefined })
    expect(fake.flowParticipants(FLOW)).toEqual([
      expect.objectContaining({
        via: 'legacy',
        variables: { coupon: 'WELCOME10' },
        person: expect.objectContaining({ firstName: 'Jane', lastName: 'Williams' }),
      }),
    ])
  })

  it('answers 40002 to a create whose email already exists (numeric errorCode)', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path(), janeData)
    const duplicate = await send(fake, 'POST', path('', SANDBOX_SEED.momentsCampaignId), {
      personData: { contactInformation: { email: [{ address: 'jane.williams@example.com' }] } },
    })
    expect(duplicate).toEqual(error(400, 40002, 'Error creating person: Email address already exists'))
    expect(fake.people).toHaveLength(1)
    expect(fake.flowParticipants(SANDBOX_SEED.momentsCampaignId)).toEqual([])
  })

  it('answers 40002 for a duplicate phone or externalId too', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path(), {
      personData: { externalId: 'ext-1', contactInformation: { phone: [{ number: '41793026727' }] } },
    })
    const samePhone = await send(fake, 'POST', path(), {
      personData: { contactInformation: { phone: [{ number: '41793026727' }] } },
    })
    expect(samePhone).toEqual(error(400, 40002, 'Error creating person: Phone number already exists'))
    const sameExternal = await send(fake, 'POST', path(), {
      personData: { externalId: 'ext-1', contactInformation: { email: [{ address: 'new@example.com' }] } },
    })
    expect(sameExternal).toEqual(error(400, 40002, 'Error creating person: External ID already exists'))
  })

  it('lets the proxy recover from 40002 with an upsert by email, as the contract prescribes', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', `/forms/1/forms/${SANDBOX_SEED.activeFormId}/data`, {
      email: 'jane.williams@example.com',
      consent: true,
    })
    expect((await send(fake, 'POST', path(), janeData)).json).toMatchObject({ errorCode: 40002 })
    const retry = await send(fake, 'POST', path('?email=jane.williams%40example.com'), janeData)
    expect(retry.status).toBe(200)
    expect(fake.people).toEqual([expect.objectContaining({ firstName: 'Jane', origin: 'FORMS' })])
    expect(fake.flowParticipants(FLOW)).toHaveLength(1)
  })

  it('answers 40001 without query identifier and personData, or with two identifiers', async () => {
    const fake = createInfobipFake()
    expect((await send(fake, 'POST', path())).json).toMatchObject({ errorCode: 40001 })
    expect((await send(fake, 'POST', path(), { flowVariables: { a: 1 } })).json).toMatchObject({ errorCode: 40001 })
    const two = await send(fake, 'POST', path('?email=a%40b.co&phone=41793026727'))
    expect(two.status).toBe(400)
    expect(two.json).toMatchObject({ errorCode: 40001 })
    expect(fake.people).toEqual([])
  })

  it('answers 40001 for a create without any contact and for malformed JSON', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'POST', path(), { personData: { firstName: 'Nobody' } })).toMatchObject({
      status: 400,
      json: { errorCode: 40001 },
    })
    expect(await send(fake, 'POST', path(), '{"personData": ')).toMatchObject({
      status: 400,
      json: { errorCode: 40001 },
    })
    expect(await send(fake, 'POST', path(), { personData: { gender: 'OTHER', contactInformation: {} } })).toMatchObject(
      {
        status: 400,
        json: { errorCode: 40001 },
      },
    )
  })

  it('answers 40003 for an invalid phone or email in the person data', async () => {
    const fake = createInfobipFake()
    const badPhone = { personData: { contactInformation: { phone: [{ number: '12ab' }] } } }
    expect(await send(fake, 'POST', path(), badPhone)).toEqual(
      error(400, 40003, 'Error creating person: msisdn: Number is invalid.'),
    )
    await send(fake, 'POST', path('', SANDBOX_SEED.momentsCampaignId), janeData)
    expect(await send(fake, 'POST', path('?email=jane.williams%40example.com'), badPhone)).toEqual(
      error(400, 40003, 'Error updating person: msisdn: Number is invalid.'),
    )
    const badEmail = { personData: { contactInformation: { email: [{ address: 'nope' }] } } }
    expect(await send(fake, 'POST', path(), badEmail)).toEqual(
      error(400, 40003, 'Error creating person: email: Email address is invalid.'),
    )
    expect(await send(fake, 'POST', path('?phone=123'))).toEqual(
      error(400, 40003, 'Error creating person: msisdn: Number is invalid.'),
    )
  })

  it('upserts: partially updates an existing person, or creates one with the query identifier', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path('', SANDBOX_SEED.momentsCampaignId), janeData)
    const update = await send(fake, 'POST', path('?email=jane.williams%40example.com'), {
      personData: {
        lastName: 'Smith',
        address: '10 York Street',
        contactInformation: { phone: [{ number: '3859128592198' }] },
      },
    })
    expect(update.status).toBe(200)
    expect(fake.people).toEqual([
      expect.objectContaining({
        firstName: 'Jane',
        lastName: 'Smith',
        address: '10 York Street',
        contactInformation: expect.objectContaining({
          email: [{ address: 'Jane.Williams@Example.com' }],
          phone: [{ number: '3859128592198' }],
        }),
      }),
    ])
    const create = await send(fake, 'POST', path('?externalId=ext-9'), {
      personData: { firstName: 'Ext', contactInformation: { email: [{ address: 'ext@example.com' }] } },
    })
    expect(create.status).toBe(200)
    expect(fake.people.find((p) => p.externalId === 'ext-9')).toMatchObject({ firstName: 'Ext' })
  })

  it('creates a person from an email or phone query alone, but not from an externalId', async () => {
    const fake = createInfobipFake()
    expect((await send(fake, 'POST', path('?email=solo%40example.com'))).status).toBe(200)
    expect((await send(fake, 'POST', path('?phone=41793026727'))).status).toBe(200)
    expect(fake.people.map((p) => p.contactInformation)).toEqual([
      expect.objectContaining({ email: [{ address: 'solo@example.com' }], phone: [] }),
      expect.objectContaining({ email: [], phone: [{ number: '41793026727' }] }),
    ])
    const notFound = error(
      404,
      40402,
      'Person not found for given identifier, and not enough person data is provided for creation',
    )
    expect(await send(fake, 'POST', path('?externalId=8edb24b5-0319-48cd-a1d9-1e8bc5d577ab'))).toEqual(notFound)
    expect(await send(fake, 'POST', path('?externalId=x'), { personData: { firstName: 'NoContact' } })).toEqual(
      notFound,
    )
    expect(fake.people).toHaveLength(2)
  })

  it('adds an existing person found by externalId', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path('', SANDBOX_SEED.momentsCampaignId), {
      personData: { externalId: 'ext-1', contactInformation: { email: [{ address: 'e@example.com' }] } },
    })
    expect((await send(fake, 'POST', path('?externalId=ext-1'))).status).toBe(200)
    expect(fake.flowParticipants(FLOW).map((p) => p.person.externalId)).toEqual(['ext-1'])
  })

  it('treats the email identifier case-insensitively and the phone identifier exactly', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path(), janeData)
    expect(await send(fake, 'POST', path('?email=JANE.WILLIAMS%40EXAMPLE.COM'))).toEqual(
      error(400, 40004, 'Person already in flow'),
    )
    await send(fake, 'POST', path('?phone=41793026727'))
    expect((await send(fake, 'POST', path('?phone=41793026728'))).status).toBe(200)
    expect(fake.people).toHaveLength(3)
  })

  it('answers 40004 when the person is already in the flow', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path(), janeData)
    expect(await send(fake, 'POST', path('?email=jane.williams%40example.com'), janeData)).toEqual(
      error(400, 40004, 'Person already in flow'),
    )
  })

  it('answers 40005 for an inactive flow and 40401 for an unknown one', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'POST', path('', SANDBOX_SEED.inactiveCampaignId), janeData)).toEqual(
      error(400, 40005, 'Flow inactive'),
    )
    expect(await send(fake, 'POST', path('', '123'), janeData)).toEqual(error(404, 40401, 'Flow not found'))
    expect(fake.people).toEqual([])
    fake.setFlowStatus(SANDBOX_SEED.inactiveCampaignId, 'ACTIVE')
    expect((await send(fake, 'POST', path('', SANDBOX_SEED.inactiveCampaignId), janeData)).status).toBe(200)
  })
})

describe('legacy flow API: remove person', () => {
  it('removes a participant, then answers 40006 when they are no longer in the flow', async () => {
    const fake = createInfobipFake()
    await send(fake, 'POST', path(), janeData)
    expect(await send(fake, 'DELETE', path('?email=jane.williams%40example.com'))).toEqual({
      status: 200,
      text: '',
      json: undefined,
    })
    expect(fake.flowParticipants(FLOW)).toEqual([])
    expect(await send(fake, 'DELETE', path('?email=jane.williams%40example.com'))).toEqual(
      error(400, 40006, 'Person is not in the flow'),
    )
    // Removed people can enter again.
    expect((await send(fake, 'POST', path('?email=jane.williams%40example.com'))).status).toBe(200)
  })

  it('answers 40402, 40401 and 40001 for unknown person, unknown flow and missing identifier', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'DELETE', path('?externalId=ghost'))).toEqual(error(404, 40402, 'Person not found'))
    expect(await send(fake, 'DELETE', path('?phone=41793026727', '42'))).toEqual(error(404, 40401, 'Flow not found'))
    expect((await send(fake, 'DELETE', path())).json).toMatchObject({ errorCode: 40001 })
    expect((await send(fake, 'DELETE', path('?email=a%40b.co&externalId=x'))).json).toMatchObject({ errorCode: 40001 })
  })
})
