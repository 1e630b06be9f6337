// dispatch.ts routes each delivery to the module of its target, with its typed payload.
import { describe, expect, it } from 'vitest'
import { createDeliverer } from '../../proxy/delivery/dispatch'
import type { Delivery, DeliveryFields } from '../../proxy/delivery/payloads'
import type { MomentsGateway } from '../../proxy/delivery/targets/moments'
import type { InfobipClient } from '../../proxy/upstreams/infobip/client'
import type { RapidproClient } from '../../proxy/upstreams/rapidpro/client'

const FIELDS: DeliveryFields = {
  id: 3,
  submissionId: 's',
  formId: 'f',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  createdAt: 0,
  operatorRetries: 0,
}
const PERSON = { person: {}, email: 'a@example.com', emailField: 'email' }

function upstreams() {
  const calls: string[] = []
  const infobip = {
    submitFormData: (formId: string) => {
      calls.push(`forms ${formId}`)
      return Promise.resolve()
    },
    addLegacyParticipant: (campaignId: string) => {
      calls.push(`legacy ${campaignId}`)
      return Promise.resolve()
    },
  } as unknown as InfobipClient
  const moments: MomentsGateway = {
    add: (campaignId, _participant, options) => {
      calls.push(`moments ${campaignId} ${options?.key}`)
      return Promise.resolve('op-1')
    },
    follow: () => Promise.resolve({ kind: 'final', fate: { status: 'ACCEPTED' } }),
  }
  const rapidpro = {
    upsertContact: (urn: string) => {
      calls.push(`rapidpro ${urn}`)
      return Promise.resolve({ created: true, contact: { uuid: 'u', urns: [urn], groups: [], language: null } })
    },
  } as unknown as RapidproClient
  return { calls, infobip, moments, rapidpro }
}

describe('the dispatch table', () => {
  const deliveries: Delivery[] = [
    { ...FIELDS, target: 'form-data', payload: { infobipFormId: 'F1', data: {}, fieldIds: [] }, state: {} },
    {
      ...FIELDS,
      target: 'flow',
      payload: { flow: { api: 'legacy', campaignId: '11' }, personData: PERSON },
      state: {},
    },
    {
      ...FIELDS,
      target: 'flow',
      payload: { flow: { api: 'moments', campaignId: '22' }, personData: PERSON },
      state: {},
    },
    {
      ...FIELDS,
      target: 'rapidpro',
      payload: { contact: { urn: 'mailto:a@example.com', urns: [], body: {}, groups: [] }, decides: true },
      state: {},
    },
  ]

  it('sends each target to its own module', async () => {
    const u = upstreams()
    const deliverer = createDeliverer(u)
    const outcomes = []
    for (const delivery of deliveries) {
      outcomes.push(await deliverer.deliver(delivery, { waitMs: 0 }))
    }
    expect(u.calls).toEqual(['forms F1', 'legacy 11', 'moments 22 delivery:3', 'rapidpro mailto:a@example.com'])
    expect(outcomes.every((o) => o.kind === 'done')).toBe(true)
  })

  it('fails a RapidPro delivery for the operator when RapidPro is off', async () => {
    const u = upstreams()
    const outcome = await createDeliverer({ infobip: u.infobip, moments: u.moments, rapidpro: null }).deliver(
      deliveries[3]!,
      { waitMs: 0 },
    )
    expect(outcome).toMatchObject({ kind: 'failed', upstream: 'rapidpro', reason: expect.stringContaining('RapidPro') })
  })
})
