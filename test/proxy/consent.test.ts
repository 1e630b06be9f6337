// Consent you can prove (GDPR art. 7(1)): what a signup agreed to, stored with its deliveries in
// the outbox file, sent upstream where the config says, and purged after its retention.
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_RETENTION_DAYS, startConsentRetention } from '../../proxy/delivery/consent-retention'
import { consentSummary, type ConsentEvidence } from '../../proxy/signup/consent-record'
import { FlowformConfig } from '../../proxy/config/schema'
import { Outbox } from '../../proxy/delivery/outbox'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { createMemoryLogger } from '../../proxy/common/log'
import { createTestProxy, SHOP, type TestProxy, type TestProxyOptions } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

const DAY = 86_400_000
const LEGACY = '10159347'
const MOMENTS = '200000000000001'
const NEWSLETTER_DE = 'Ich möchte den Newsletter per E-Mail erhalten. Abmeldung jederzeit möglich.'

interface Field {
  name: string
  type: string
  required?: boolean
  label?: string
  checkboxText?: string
}

const fields: Field[] = [
  { name: 'email', type: 'email', required: true },
  { name: 'consent', type: 'checkbox', required: true, label: 'Newsletter', checkboxText: 'Send me the newsletter.' },
  { name: 'terms', type: 'checkbox', label: 'I accept the terms.' },
]

const config = {
  forms: [
    {
      id: 'news',
      allowedOrigins: [SHOP],
      fields,
      flow: { api: 'legacy', campaignId: LEGACY, flowVariables: { source: 'shop' } },
      texts: { de: { 'field.consent.checkboxText': NEWSLETTER_DE, 'field.consent.label': 'Rundbrief' } },
      consent: { attribute: 'newsletterConsent', flowVariable: 'consent', retentionDays: 30 },
    },
    {
      id: 'moments',
      allowedOrigins: [SHOP],
      fields: fields.slice(0, 2),
      flow: { api: 'moments', campaignId: MOMENTS },
      consent: { flowVariable: 'consentText', version: '2025-01' },
    },
    {
      id: 'rp',
      allowedOrigins: [SHOP],
      fields: fields.slice(0, 2),
      rapidpro: { groups: ['Newsletter'] },
      consent: { rapidproField: 'consent' },
    },
    {
      // Only "marketing" is consent here: "remember" is a checkbox too, but not an agreement.
      id: 'named',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'marketing', type: 'checkbox', label: 'Marketing emails, please.' },
        { name: 'remember', type: 'checkbox', label: 'Remember me' },
      ],
      flow: { api: 'legacy', campaignId: LEGACY },
      consent: { fields: ['marketing'] },
    },
  ],
}

let proxy: TestProxy | undefined
afterEach(async () => {
  vi.useRealTimers()
  await proxy?.close()
  proxy = undefined
})

async function start(options: TestProxyOptions = {}): Promise<TestProxy> {
  proxy = await createTestProxy({
    config,
    runtime: { moments: { batching: false }, rapidproSandbox: { fields: [{ name: 'Consent' }] } },
    ...options,
  })
  return proxy
}

describe('a consent record per accepted signup', () => {
  it('keeps the German text exactly as the German definition showed it, with locale, version, time and page', async () => {
    const p = await start()
    const shown = (await (await p.request('/v1/forms/news?locale=de-CH')).json()) as {
      fields: { name: string; label?: string; checkboxText?: string }[]
    }
    const consentField = shown.fields.find((f) => f.name === 'consent')
    expect(consentField?.checkboxText).toBe(NEWSLETTER_DE)
    const before = Date.now()
    const res = await p.submit(
      'news',
      { email: 'Ann@Example.com', consent: true, terms: 'true' },
      { context: { locale: 'de-CH', page: 'https://shop.example.com/de/newsletter' } },
    )
    expect(res.status).toBe(200)
    const [record, ...others] = p.outbox.consents.of({ email: 'ann@example.com' })
    expect(others).toEqual([])
    expect(record).toMatchObject({
      formId: 'news',
      locale: 'de',
      page: 'https://shop.example.com/de/newsletter',
      email: 'ann@example.com',
      texts: [
        { field: 'consent', text: consentField?.checkboxText, question: 'Rundbrief' },
        { field: 'terms', text: 'I accept the terms.' },
      ],
    })
    expect(record?.version).toMatch(/^[0-9a-f]{12}$/)
    expect(record?.acceptedAt).toBeGreaterThanOrEqual(before)
    expect(record?.acceptedAt).toBeLessThanOrEqual(Date.now())
    // Same record as the deliveries: one submission.
    expect(p.outbox.list().map((d) => d.submissionId)).toEqual([record?.submissionId])
  })

  it('takes the Origin as the page when the body names none, and no record when nothing was ticked', async () => {
    const p = await start()
    expect((await p.submit('rp', { email: 'bo@example.com', consent: true })).status).toBe(200)
    expect(p.outbox.consents.of({ email: 'bo@example.com' })).toMatchObject([{ page: SHOP, locale: 'en' }])
    expect((await p.submit('named', { email: 'cy@example.com', remember: true })).status).toBe(200)
    expect(p.outbox.consents.of({ email: 'cy@example.com' })).toEqual([])
    expect((await p.submit('named', { email: 'cy@example.com', marketing: true, remember: true })).status).toBe(200)
    expect(p.outbox.consents.of({ email: 'cy@example.com' }).map((r) => r.texts)).toEqual([
      [{ field: 'marketing', text: 'Marketing emails, please.' }],
    ])
  })

  it('names the same version for the same form and a new one when a text changes; config version wins', async () => {
    const p = await start()
    await p.submit('news', { email: 'a@example.com', consent: true })
    await p.submit('news', { email: 'a@example.com', consent: true }, { context: { locale: 'fr' } })
    await p.submit('moments', { email: 'a@example.com', consent: true })
    const [en, fr, moments] = p.outbox.consents.of({ email: 'a@example.com' })
    expect(fr?.version).toBe(en?.version)
    expect(moments?.version).toBe('2025-01')
    await p.close()
    const changed = structuredClone(config)
    changed.forms[0]!.fields = [fields[0]!, { ...fields[1]!, checkboxText: 'Send me the weekly newsletter.' }]
    const q = await start({ config: changed })
    await q.submit('news', { email: 'a@example.com', consent: true })
    const [record] = q.outbox.consents.of({ email: 'a@example.com' })
    expect(record?.version).toMatch(/^[0-9a-f]{12}$/)
    expect(record?.version).not.toBe(en?.version)
  })
})

describe('consent sent upstream where the config names a place', () => {
  it('sets the person custom attribute and the flow variable of a legacy flow', async () => {
    const p = await start()
    await p.submit('news', { email: 'ann@example.com', consent: true }, { context: { locale: 'de' } })
    const [record] = p.outbox.consents.of({ email: 'ann@example.com' })
    const summary = `${NEWSLETTER_DE} | ${new Date(record?.acceptedAt ?? 0).toISOString()} | de | v${record?.version}`
    const [participant] = p.fake?.flowParticipants(LEGACY) ?? []
    expect(participant?.variables).toEqual({ source: 'shop', consent: summary })
    expect(participant?.person.customAttributes).toMatchObject({ newsletterConsent: summary })
  })

  it('sets a Moments flow variable', async () => {
    const p = await start()
    await p.submit('moments', { email: 'ann@example.com', consent: true })
    const [participant] = p.fake?.flowParticipants(MOMENTS) ?? []
    expect(participant?.variables).toEqual({
      consentText: expect.stringMatching(/^Send me the newsletter\. \| \d{4}-\d\d-\d\dT[\d:.]+Z \| en \| v2025-01$/),
    })
  })

  it('writes the RapidPro contact field', async () => {
    const p = await start()
    expect((await p.submit('rp', { email: 'ann@example.com', consent: true })).status).toBe(200)
    expect(p.rapidproFake?.contact('mailto:ann@example.com')?.fields).toMatchObject({
      consent: expect.stringMatching(/^Send me the newsletter\. \| .+ \| en \| v[0-9a-f]{12}$/),
    })
  })

  it('cuts a long text to the upstream limit, keeping time, locale and version', () => {
    const evidence: ConsentEvidence = {
      acceptedAt: 0,
      locale: 'de',
      version: 'abc',
      page: null,
      texts: [{ field: 'a', text: 'x'.repeat(1000) }],
      email: null,
      phone: null,
    }
    const summary = consentSummary(evidence, 640)
    expect([...summary]).toHaveLength(640)
    expect(summary.endsWith('… | 1970-01-01T00:00:00.000Z | de | vabc')).toBe(true)
  })

  it('refuses config keys whose upstream the form does not have', () => {
    const result = FlowformConfig.safeParse({
      forms: [
        {
          id: 'x',
          allowedOrigins: [SHOP],
          fields: [{ name: 'email', type: 'email' }],
          infobipFormId: 'f1',
          consent: { flowVariable: 'c', rapidproField: 'c', fields: ['email'] },
        },
      ],
    })
    expect(result.success).toBe(false)
    const paths = result.error?.issues.map((i) => i.path.join('.'))
    expect(paths).toEqual(['forms.0.consent.flowVariable', 'forms.0.consent.rapidproField', 'forms.0.consent.fields'])
  })
})

describe('the same transaction as the deliveries', () => {
  it('keeps no record when a delivery of its submission cannot be written (rolled back together)', () => {
    const outbox = Outbox.open(join(tempDir('consent'), 'data'))
    try {
      const evidence: ConsentEvidence = {
        acceptedAt: 0,
        locale: 'en',
        version: 'v',
        page: null,
        texts: [{ field: 'consent', text: 'Yes' }],
        email: 'ann@example.com',
        phone: null,
      }
      const good = {
        target: 'flow',
        payload: { flow: { api: 'moments', campaignId: '1' }, personData: { person: {} } },
      }
      // The second delivery fails after the record and the first delivery were written.
      const unwritable = { target: 'flow', payload: { size: 1n } }
      const planned = [good, unwritable] as unknown as PlannedDelivery[]
      expect(() => outbox.add('s1', 'news', planned, undefined, evidence)).toThrow()
      expect(outbox.count()).toBe(0)
      expect(outbox.consents.count()).toBe(0)
      outbox.add('s2', 'news', [planned[0]!], undefined, evidence)
      expect([outbox.count(), outbox.consents.count()]).toEqual([1, 1])
    } finally {
      outbox.close()
    }
  })
})

describe('retention', () => {
  const evidence = (acceptedAt: number, email: string): ConsentEvidence => ({
    acceptedAt,
    locale: 'en',
    version: 'v1',
    page: null,
    texts: [{ field: 'consent', text: 'Yes' }],
    email,
    phone: null,
  })

  it("purges each form's records past its retention, at start and then hourly", () => {
    vi.useFakeTimers({ now: 0 })
    const outbox = Outbox.open(join(tempDir('consent'), 'data'))
    try {
      outbox.add('s1', 'news', [], undefined, evidence(0, 'a@example.com'))
      outbox.add('s2', 'other', [], undefined, evidence(0, 'b@example.com'))
      outbox.add('s3', 'news', [], undefined, evidence(20 * DAY, 'c@example.com'))
      const memory = createMemoryLogger()
      const parsed = FlowformConfig.parse(config)
      vi.setSystemTime(30 * DAY + 1)
      const task = startConsentRetention({ store: outbox.consents, config: parsed, log: memory.log })
      // At start: "news" keeps 30 days; the unconfigured form "other" keeps the default.
      expect(outbox.consents.of({ email: 'a@example.com' })).toEqual([])
      expect(outbox.consents.count()).toBe(2)
      vi.setSystemTime(50 * DAY + 1)
      vi.advanceTimersByTime(3_600_000)
      expect(outbox.consents.of({ email: 'c@example.com' })).toEqual([])
      expect(outbox.consents.count()).toBe(1)
      vi.setSystemTime(DEFAULT_RETENTION_DAYS * DAY + 1)
      vi.advanceTimersByTime(3_600_000)
      expect(outbox.consents.count()).toBe(0)
      expect(memory.lines().filter((l) => l.msg === 'consent records past their retention deleted')).toHaveLength(3)
      task.stop()
    } finally {
      outbox.close()
    }
  })

  it('the running proxy purges old records when it starts', async () => {
    const dataDir = join(tempDir('consent'), 'data')
    const outbox = Outbox.open(dataDir)
    outbox.add('old', 'news', [], undefined, evidence(Date.now() - 31 * DAY, 'old@example.com'))
    outbox.add('new', 'news', [], undefined, evidence(Date.now() - 29 * DAY, 'new@example.com'))
    outbox.close()
    const p = await start({ env: { dataDir } })
    expect(p.outbox.consents.of({ email: 'old@example.com' })).toEqual([])
    expect(p.outbox.consents.of({ email: 'new@example.com' })).toHaveLength(1)
  })
})
