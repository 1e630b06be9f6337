import { describe, expect, it } from 'vitest'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { FlowParticipantsReport, InfobipFake } from '../../fakes/infobip-fake'
import { startRecordingServer } from '../helpers/recording-server'

const BASE = 'https://xyz123.api.infobip.com'
const CAMPAIGN = SANDBOX_SEED.momentsCampaignId
const addPath = (campaignId: string) => `/moments/1/flows/${campaignId}/participants`
const reportPath = (campaignId: string, operationId: string) =>
  `/moments/1/flows/${campaignId}/participants/report?operationId=${encodeURIComponent(operationId)}`

async function send(fake: InfobipFake, method: string, path: string, body?: unknown) {
  const res = await fake.fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: 'App test-key', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

const email = (identifier: string, extra: Record<string, unknown> = {}) => ({
  identifyBy: { identifier, type: 'EMAIL' },
  ...extra,
})

async function add(fake: InfobipFake, body: unknown, campaignId: string = CAMPAIGN) {
  const answer = await send(fake, 'POST', addPath(campaignId), body)
  expect(answer.status).toBe(200)
  const { operationId } = answer.json as { operationId: string }
  return operationId
}

async function report(fake: InfobipFake, operationId: string, campaignId: string = CAMPAIGN) {
  const answer = await send(fake, 'GET', reportPath(campaignId, operationId))
  expect(answer.status).toBe(200)
  return answer.json as FlowParticipantsReport
}

describe('Moments flow: add participants', () => {
  it('accepts a participant, creates the person and reports ACCEPTED', async () => {
    const fake = createInfobipFake()
    const operationId = await add(fake, {
      participants: [
        email('jane@example.com', {
          variables: { orderNumber: 1595299041 },
          person: { firstName: 'Jane', customAttributes: { Company: 'Acme' } },
        }),
      ],
      callbackData: 'cb-1',
    })
    expect(operationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(await report(fake, operationId)).toEqual({
      operationId,
      campaignId: 200000000000001,
      callbackData: 'cb-1',
      participants: [{ identifyBy: { identifier: 'jane@example.com', type: 'EMAIL' }, status: 'ACCEPTED' }],
    })
    const [participant, ...rest] = fake.flowParticipants(CAMPAIGN)
    expect(rest).toEqual([])
    expect(participant).toMatchObject({
      via: 'moments',
      variables: { orderNumber: 1595299041 },
      person: {
        firstName: 'Jane',
        customAttributes: { Company: 'Acme' },
        contactInformation: { email: [{ address: 'jane@example.com' }] },
      },
    })
  })

  it('rejects a second add of the same person with REJECTED_PERSON_IN_FLOW', async () => {
    const fake = createInfobipFake()
    await add(fake, { participants: [email('jane@example.com')] })
    const second = await add(fake, { participants: [email('JANE@example.com')] })
    expect((await report(fake, second)).participants).toEqual([
      {
        identifyBy: { identifier: 'JANE@example.com', type: 'EMAIL' },
        status: 'REJECTED',
        errorReason: 'REJECTED_PERSON_IN_FLOW',
      },
    ])
    expect(fake.people).toHaveLength(1)
    expect(fake.flowParticipants(CAMPAIGN)).toHaveLength(1)
  })

  it('rejects invalid contacts with REJECTED_INVALID_CONTACT and accepts the rest of the batch', async () => {
    const fake = createInfobipFake()
    const operationId = await add(fake, {
      participants: [
        email('not-an-email'),
        { identifyBy: { identifier: '12', type: 'PHONE' } },
        email('ok@example.com', { person: { contactInformation: { phone: [{ number: 'abc' }] } } }),
        { identifyBy: { identifier: '41793026727', type: 'PHONE' } },
      ],
    })
    expect((await report(fake, operationId)).participants.map((p) => [p.status, p.errorReason])).toEqual([
      ['REJECTED', 'REJECTED_INVALID_CONTACT'],
      ['REJECTED', 'REJECTED_INVALID_CONTACT'],
      ['REJECTED', 'REJECTED_INVALID_CONTACT'],
      ['ACCEPTED', undefined],
    ])
    expect(fake.people.map((p) => p.contactInformation.phone)).toEqual([[{ number: '41793026727' }]])
  })

  it('merges profiles whose identifiers meet in one participant', async () => {
    const fake = createInfobipFake()
    await add(fake, { participants: [email('jane@example.com')] })
    await add(
      fake,
      { participants: [{ identifyBy: { identifier: '41793026727', type: 'PHONE' } }] },
      SANDBOX_SEED.legacyCampaignId,
    )
    expect(fake.people).toHaveLength(2)
    const operationId = await add(fake, {
      participants: [
        {
          identifyBy: { identifier: '41793026727', type: 'PHONE' },
          person: { lastName: 'Smith', contactInformation: { email: [{ address: 'jane@example.com' }] } },
        },
      ],
    })
    // The merged profile already sits in this flow through its email, so the phone add is refused.
    expect((await report(fake, operationId)).participants[0]?.errorReason).toBe('REJECTED_PERSON_IN_FLOW')
    const people = fake.people
    expect(people).toHaveLength(1)
    expect(people[0]).toMatchObject({
      lastName: 'Smith',
      contactInformation: { email: [{ address: 'jane@example.com' }], phone: [{ number: '41793026727' }] },
    })
    expect(fake.flowParticipants(SANDBOX_SEED.legacyCampaignId)).toHaveLength(1)
  })

  it('requires a sender for channel identifiers and identifies by it', async () => {
    const fake = createInfobipFake()
    const missing = await send(fake, 'POST', addPath(CAMPAIGN), {
      participants: [{ identifyBy: { identifier: 'fb-user', type: 'FACEBOOK' } }],
    })
    expect(missing).toEqual({
      status: 400,
      json: {
        errorCode: 400,
        errorMessage: 'Field participants.[0].identifyBy.sender must not be null for type FACEBOOK',
      },
    })
    const fb = { identifyBy: { identifier: 'fb-user', type: 'FACEBOOK', sender: 'page-1' } }
    await add(fake, { participants: [fb] })
    const again = await add(fake, { participants: [fb] })
    expect((await report(fake, again)).participants[0]?.errorReason).toBe('REJECTED_PERSON_IN_FLOW')
    expect(fake.people[0]?.contactInformation.facebook).toEqual([{ applicationId: 'page-1', userId: 'fb-user' }])
  })

  it('rejects unknown custom attributes when the account lists its attributes', async () => {
    const fake = createInfobipFake({ knownCustomAttributes: ['Company'] })
    const operationId = await add(fake, {
      participants: [
        email('a@example.com', { person: { customAttributes: { Company: 'Acme' } } }),
        email('b@example.com', { person: { customAttributes: { Compnay: 'typo' } } }),
      ],
    })
    expect((await report(fake, operationId)).participants.map((p) => p.errorReason)).toEqual([
      undefined,
      'REJECTED_ATTRIBUTE_MISSED',
    ])
  })

  it('shares flow membership with the legacy API', async () => {
    const fake = createInfobipFake()
    const legacy = await send(fake, 'POST', `/communication/1/flows/${CAMPAIGN}/participants?email=jane@example.com`)
    expect(legacy.status).toBe(200)
    const operationId = await add(fake, { participants: [email('jane@example.com')] })
    expect((await report(fake, operationId)).participants[0]?.errorReason).toBe('REJECTED_PERSON_IN_FLOW')
  })
})

describe('Moments flow: request validation', () => {
  it('accepts exactly 1 to 1000 participants', async () => {
    const fake = createInfobipFake()
    const many = (n: number) => Array.from({ length: n }, (_, i) => email(`p${i}@example.com`))
    for (const n of [0, 1001]) {
      expect(await send(fake, 'POST', addPath(CAMPAIGN), { participants: many(n) })).toEqual({
        status: 400,
        json: { errorCode: 400, errorMessage: `Number of participants must be between 1 and 1000. Received: ${n}` },
      })
    }
    const operationId = await add(fake, { participants: many(1000) })
    expect((await report(fake, operationId)).participants.every((p) => p.status === 'ACCEPTED')).toBe(true)
    expect(fake.flowParticipants(CAMPAIGN)).toHaveLength(1000)
  })

  it('names absent participants and unsupported identifier types', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'POST', addPath(CAMPAIGN), { notifyUrl: 'https://x.example' })).toEqual({
      status: 400,
      json: { errorCode: 400, errorMessage: 'Mandatory fields are absent: [participants]' },
    })
    const badType = await send(fake, 'POST', addPath(CAMPAIGN), {
      participants: [email('a@example.com'), { identifyBy: { identifier: 'x', type: 'SMS' } }],
    })
    expect(badType.json).toEqual({
      errorCode: 400,
      errorMessage: 'Field participants.[1].identifyBy.type must not be null or unsupported value',
    })
    const noType = await send(fake, 'POST', addPath(CAMPAIGN), { participants: [{ identifyBy: { identifier: 'x' } }] })
    expect(noType.json).toEqual({
      errorCode: 400,
      errorMessage: 'Field participants.[0].identifyBy.type must not be null or unsupported value',
    })
    expect(fake.people).toEqual([])
  })

  it('answers malformed JSON with the problem document', async () => {
    const fake = createInfobipFake()
    expect(await send(fake, 'POST', addPath(CAMPAIGN), '{"participants": [')).toEqual({
      status: 400,
      json: {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'Failed to read request',
        instance: '/moments/1/flows/200000000000001/participants',
      },
    })
  })

  it('answers 404 40401 for unknown and inactive campaigns', async () => {
    const fake = createInfobipFake()
    for (const campaignId of ['999', SANDBOX_SEED.inactiveCampaignId]) {
      expect(await send(fake, 'POST', addPath(campaignId), { participants: [email('a@example.com')] })).toEqual({
        status: 404,
        json: { errorCode: 40401, errorMessage: `Could not find active flow for campaign ${campaignId}` },
      })
    }
    expect(fake.people).toEqual([])
  })
})

describe('Moments flow: report and callback', () => {
  it('answers 404 for an unknown operation or another campaign, 400 without operationId', async () => {
    const fake = createInfobipFake()
    const operationId = await add(fake, { participants: [email('a@example.com')] })
    expect((await send(fake, 'GET', reportPath(CAMPAIGN, 'nope'))).status).toBe(404)
    expect((await send(fake, 'GET', reportPath(SANDBOX_SEED.legacyCampaignId, operationId))).status).toBe(404)
    const missing = await send(fake, 'GET', `/moments/1/flows/${CAMPAIGN}/participants/report`)
    expect(missing.status).toBe(400)
    expect(missing.json).toMatchObject({ title: 'Bad Request', status: 400 })
  })

  it('keeps participants PENDING for reportDelayMs', async () => {
    let t = 1_000_000
    const fake = createInfobipFake({ reportDelayMs: 5000, now: () => t })
    const operationId = await add(fake, { participants: [email('a@example.com'), email('bad')] })
    expect((await report(fake, operationId)).participants.map((p) => p.status)).toEqual(['PENDING', 'PENDING'])
    expect((await report(fake, operationId)).participants[1]).not.toHaveProperty('errorReason')
    t += 5000
    expect((await report(fake, operationId)).participants.map((p) => [p.status, p.errorReason])).toEqual([
      ['ACCEPTED', undefined],
      ['REJECTED', 'REJECTED_INVALID_CONTACT'],
    ])
    expect(fake.report(operationId)).toEqual(await report(fake, operationId))
  })

  it('posts the final report to notifyUrl through the injected notifier', async () => {
    const delivered: { url: string; body: unknown }[] = []
    const fake = createInfobipFake({
      notify: async (url, body) => {
        delivered.push({ url, body })
      },
    })
    const operationId = await add(fake, {
      participants: [email('a@example.com')],
      notifyUrl: 'https://shop.example/callback',
      callbackData: 'abc',
    })
    await fake.settled()
    expect(delivered).toEqual([
      {
        url: 'https://shop.example/callback',
        body: {
          operationId,
          campaignId: 200000000000001,
          callbackData: 'abc',
          participants: [{ identifyBy: { identifier: 'a@example.com', type: 'EMAIL' }, status: 'ACCEPTED' }],
        },
      },
    ])
  })

  it('delivers the callback over HTTP by default and survives a dead callback endpoint', async () => {
    const server = await startRecordingServer()
    try {
      const fake = createInfobipFake()
      const operationId = await add(fake, { participants: [email('a@example.com')], notifyUrl: `${server.url}/hook` })
      await add(fake, { participants: [email('b@example.com')], notifyUrl: 'http://127.0.0.1:1/refused' })
      await fake.settled()
      const [callback] = await server.waitForRequests(1)
      expect(callback).toMatchObject({
        method: 'POST',
        path: '/hook',
        json: { operationId, campaignId: 200000000000001 },
      })
      expect(callback?.headers['content-type']).toBe('application/json')
    } finally {
      await server.close()
    }
  })
})
