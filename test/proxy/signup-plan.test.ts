// plan.ts: from a resolved form and its values to the typed payloads, and whose answer counts.
import { describe, expect, it } from 'vitest'
import { FormConfig } from '../../proxy/config/schema'
import type { ResolvedForm } from '../../proxy/forms/registry'
import { planDeliveries } from '../../proxy/signup/plan'

function form(config: Record<string, unknown>): ResolvedForm {
  return {
    config: FormConfig.parse({
      id: 'welcome',
      allowedOrigins: ['https://shop.example'],
      fields: [{ type: 'email', name: 'email' }],
      ...config,
    }),
    definition: {
      id: 'welcome',
      fields: [
        { name: 'email', type: 'email', label: 'Email' },
        { name: 'phone', type: 'tel', label: 'Phone' },
      ],
    },
    personFields: { email: 'email', phone: 'phone' },
  }
}

const VALUES = { email: ' Ann@Example.com ', phone: '+41 79 302 67 27' }

describe('planDeliveries', () => {
  it('plans form data, flow and RapidPro in that order, and the flow decides', () => {
    const plan = planDeliveries(
      form({ infobipFormId: 'F1', flow: { api: 'moments', campaignId: '7' }, rapidpro: {} }),
      VALUES,
      { rapidproEnabled: true, source: 'shop.example', campaign: 'bf' },
    )
    expect(plan.deliveries.map((d) => d.target)).toEqual(['form-data', 'flow', 'rapidpro'])
    expect(plan.decider).toBe('flow')
    expect(plan.unreachable).toBe(false)
    expect(plan.deliveries[0]).toMatchObject({
      payload: {
        infobipFormId: 'F1',
        data: { email: 'ann@example.com', phone: '41793026727' },
        source: 'shop.example',
      },
    })
    expect(plan.deliveries[2]).toMatchObject({ payload: { decides: false } })
  })

  it('lets RapidPro decide without a flow, and skips it when RapidPro is off', () => {
    const config = { infobipFormId: 'F1', rapidpro: {} }
    expect(planDeliveries(form(config), VALUES, { rapidproEnabled: true }).decider).toBe('rapidpro')
    const off = planDeliveries(form(config), VALUES, { rapidproEnabled: false })
    expect(off.deliveries.map((d) => d.target)).toEqual(['form-data'])
    expect(off.decider).toBe('form-data')
  })

  it('says when a flow has no one to reach', () => {
    const plan = planDeliveries(form({ flow: { api: 'legacy', campaignId: '7' } }), {}, { rapidproEnabled: false })
    expect(plan.unreachable).toBe(true)
  })
})
