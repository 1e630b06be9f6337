import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Outbox } from '../../proxy/delivery/outbox'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'
import { advancedUntil } from '../helpers/fake-clock'

let proxy: TestProxy | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  proxy = undefined
})

const email = { name: 'email', type: 'email', label: 'Email' }
const FLOW = { flow: { api: 'moments' as const, campaignId: '1' }, personData: { person: {}, email: 'a@example.com' } }
const phone = { name: 'phone', type: 'tel', label: 'Phone' }

describe('the outbox and the request never deliver the same thing twice', () => {
  it('keeps a delivery the request is working on away from the worker, even past its lease', () => {
    let now = 1_000
    const outbox = new Outbox(join(tempDir('outbox'), 'outbox.db'), { now: () => now })
    const [delivery] = outbox.add('s1', 'welcome', [{ target: 'flow', payload: FLOW }], 30_000)
    now += 60_000
    expect(outbox.claimDue(10)).toEqual([])
    outbox.release(delivery?.id ?? 0)
    expect(outbox.claimDue(10).map((d) => d.id)).toEqual([delivery?.id])
    // Claimed by the worker: in flight again until it is released.
    now += 120_000
    expect(outbox.claimDue(10)).toEqual([])
    outbox.close()
  })

  it('answers queued at the request deadline and lets the slow delivery finish, once', async () => {
    vi.useFakeTimers({ now: 0 })
    proxy = await createTestProxy({ runtime: { requestDeadlineMs: 300 } })
    proxy.fake?.failNext({ method: 'POST', path: /communication/ }, { status: 200, delayMs: 800 })
    const res = await advancedUntil(proxy.submit('welcome-legacy', { email: 'slow@example.com' }))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    expect(Date.now()).toBeLessThan(800)
    // The worker must not send it again while the request's own call is still out.
    await advancedUntil(proxy.worker.runOnce())
    expect(proxy.outbox.counts().done).toBe(0)
    await vi.advanceTimersByTimeAsync(800)
    expect(proxy.outbox.counts().done).toBe(1)
    const calls = (proxy.fake?.requests ?? []).filter((r) => r.path.startsWith('/communication/'))
    expect(calls).toHaveLength(1)
  })
})

describe('what the person is told matches what happened', () => {
  it('answers from the Infobip form data when a form has neither flow nor RapidPro', async () => {
    proxy = await createTestProxy({
      config: { forms: [{ id: 'forms-only', allowedOrigins: [SHOP], infobipFormId: SANDBOX_SEED.activeFormId }] },
    })
    proxy.fake?.setFormStatus(SANDBOX_SEED.activeFormId, 'ACTIVE')
    proxy.fake?.failNext(
      { method: 'POST', path: /\/data$/ },
      {
        status: 403,
        body: {
          requestError: { serviceException: { messageId: 'FORBIDDEN', text: 'Form is not submittable using the API' } },
        },
      },
    )
    const refused = await proxy.submit('forms-only', { email: 'f@example.com', consent: true })
    expect(refused.status).toBe(503)
    const accepted = await proxy.submit('forms-only', { email: 'g@example.com', consent: true })
    expect(await accepted.json()).toEqual({ status: 'enrolled' })
  })

  it('refuses a config form that delivers nowhere, naming the path', async () => {
    await expect(
      createTestProxy({ config: { forms: [{ id: 'void', allowedOrigins: [SHOP], fields: [email] }] } }),
    ).rejects.toThrow(/\$\.forms\[0\]\.flow: a form needs somewhere to deliver signups/)
  })

  it('asks for an email or phone instead of failing upstream when a flow has no one to reach', async () => {
    proxy = await createTestProxy({
      config: {
        forms: [
          {
            id: 'optional',
            allowedOrigins: [SHOP],
            fields: [email, phone],
            flow: { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId },
          },
        ],
      },
    })
    const res = await proxy.submit('optional', { email: '', phone: '' })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toEqual({
      email: [expect.any(String)],
    })
    expect(proxy.fake?.requestCount).toBe(0)
    expect(proxy.outbox.list()).toEqual([])
  })

  it('sends phones as digits and emails in lower case to Infobip form data', async () => {
    proxy = await createTestProxy()
    const res = await proxy.submit('newsletter', { email: 'Ana@Example.COM', phone: '+41 79 302 67 27', consent: true })
    expect(res.status).toBe(200)
    const [submission] = proxy.fake?.formSubmissions(SANDBOX_SEED.activeFormId) ?? []
    expect(submission?.values).toMatchObject({ email: 'ana@example.com', phone: '41793026727' })
  })

  it('stops the other deliveries of a submission the person must correct', async () => {
    proxy = await createTestProxy({
      config: {
        forms: [
          {
            id: 'both',
            allowedOrigins: [SHOP],
            infobipFormId: SANDBOX_SEED.activeFormId,
            flow: { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId },
          },
        ],
      },
    })
    proxy.fake?.failNext(
      { method: 'POST', path: /\/data$/ },
      { status: 429, body: {}, headers: { 'retry-after': '0' } },
      10,
    )
    proxy.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 40003, errorMessage: 'Error updating person: msisdn: Number is invalid.' } },
    )
    const res = await proxy.submit('both', { email: 'h@example.com', phone: '+385 91 123 4567', consent: true })
    expect(res.status).toBe(422)
    const statuses = proxy.outbox.list().map((d) => [d.target, d.status])
    expect(statuses).toEqual([
      ['form-data', 'rejected'],
      ['flow', 'rejected'],
    ])
  })
})

describe('after the person was answered', () => {
  it('keeps values refused in the background for the operator instead of dropping them', async () => {
    proxy = await createTestProxy()
    proxy.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 500, body: { errorCode: 50001, errorMessage: 'x' } },
    )
    const res = await proxy.submit('welcome-legacy', { email: 'late@example.com', phone: '+385 91 123 4567' })
    expect(res.status).toBe(202)
    proxy.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 40003, errorMessage: 'Error updating person: msisdn: Number is invalid.' } },
    )
    const [pending] = proxy.outbox.list({ status: 'pending' })
    proxy.outbox.retryLater(pending?.id ?? 0, 'test', 0)
    await proxy.worker.runOnce()
    const [failed] = proxy.outbox.list({ status: 'failed' })
    expect(failed?.payload).toMatchObject({ personData: { email: 'late@example.com' } })
    expect(proxy.logText()).toContain('upstream refused the values after the person was answered')
  })

  it('treats a person who may not re-enter the welcome flow as already signed up', async () => {
    const { outcomeFromFate } = await import('../../proxy/delivery/targets/moments')
    const participant = { identifyBy: { identifier: 'r@example.com', type: 'EMAIL' as const } }
    const outcome = outcomeFromFate(
      { status: 'REJECTED', errorReason: 'REJECTED_PERSON_NOT_ALLOWED_TO_REENTER' },
      participant,
      { person: {}, email: 'r@example.com', emailField: 'email' },
      'op',
    )
    expect(outcome).toEqual({ kind: 'done', status: 'already_enrolled' })
  })
})
