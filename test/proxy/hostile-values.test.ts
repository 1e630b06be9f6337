import { RE2JS } from 're2js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SANDBOX_SEED } from '../../fakes/infobip-fake'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

/**
 * What an attacker or a careless shopper sends, through the HTTP API: each answer is a 422 field
 * error in the person's language, nothing reaches an upstream, and nothing holds the process.
 */

let proxy: TestProxy | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await proxy?.close()
  proxy = undefined
})

const LEGACY = { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId }

function hostileForm(extra: Record<string, unknown> = {}) {
  return {
    id: 'hostile',
    allowedOrigins: [SHOP],
    fields: [
      { name: 'email', type: 'email', required: true, label: 'Email' },
      { name: 'firstName', type: 'text', label: 'First name' },
      { name: 'code', type: 'text', label: 'Code', pattern: '(a+)+' },
      { name: 'notes', type: 'textarea', label: 'Notes' },
      { name: 'phone', type: 'tel', label: 'Phone' },
    ],
    flow: LEGACY,
    ...extra,
  }
}

async function start(form = hostileForm()): Promise<TestProxy> {
  proxy = await createTestProxy({ config: { forms: [form] } })
  return proxy
}

/** Calls that would carry a person's data upstream. */
function deliveries(p: TestProxy) {
  return (p.fake?.requests ?? []).filter((r) => r.method === 'POST' || r.method === 'DELETE')
}

async function fieldsOf(res: Response): Promise<Record<string, string[]>> {
  expect(res.status).toBe(422)
  return ((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields
}

describe('patterns run in linear time on the server', () => {
  // 31 characters held a backtracking RegExp for 12–48 s; this is the longest value the field takes
  // (patterns.test.ts tries 5,000 on the engine itself).
  it('answers ^(a+)+$ against 4,000 hostile characters on RE2, and /healthz is not held', async () => {
    const p = await start()
    const matches = vi.spyOn(RE2JS.prototype, 'matches')
    const hostile = `${'a'.repeat(3_999)}!`
    const [res, health] = await Promise.all([
      p.submit('hostile', { email: 'ana@example.com', code: hostile }),
      p.request('/healthz', { origin: null }),
    ])
    expect(await fieldsOf(res)).toEqual({ code: ['Please use the requested format.'] })
    expect(health.status).toBe(200)
    expect(matches).toHaveBeenCalledWith(hostile)
    expect(deliveries(p)).toEqual([])
  })

  it('still accepts what the pattern allows', async () => {
    const p = await start()
    const res = await p.submit('hostile', { email: 'ana@example.com', code: 'a'.repeat(31) })
    expect(res.status).toBe(200)
  })

  it('reports a pattern RE2 cannot run once, with form and field, and leaves it to the upstream', async () => {
    const form = hostileForm()
    form.fields[2] = { name: 'code', type: 'text', label: 'Code', pattern: '(a)\\1' }
    const p = await start(form)
    const warnings = p.logLines().filter((l) => String(l.msg).includes('pattern not applied'))
    expect(warnings).toEqual([expect.objectContaining({ form: 'hostile', field: 'code', pattern: '(a)\\1' })])
    const res = await p.submit('hostile', { email: 'ana@example.com', code: 'xyz' })
    expect(res.status).toBe(200)
  })
})

describe('control and format characters', () => {
  const cases: [string, string, string][] = [
    ['NUL in an email', 'email', 'ana\u0000@example.com'],
    ['BEL in a name', 'firstName', 'Ana\u0007'],
    ['U+202E in a name', 'firstName', 'Ana\u202Emoc.elpmaxe'],
    ['a lone surrogate in a name', 'firstName', 'Ana\uD800'],
    ['a line break in a one-line text', 'firstName', 'Ana\r\nBcc: x'],
  ]
  it.each(cases)('refuses %s with a 422 and sends nothing', async (_, name, value) => {
    const p = await start()
    const values = { email: 'ana@example.com', [name]: value }
    expect(await fieldsOf(await p.submit('hostile', values))).toEqual({
      [name]: ['Please remove invisible characters.'],
    })
    expect(deliveries(p)).toEqual([])
  })

  it('says so in the language the form was shown in', async () => {
    const p = await start()
    const res = await p.submit(
      'hostile',
      { email: 'ana@example.com', firstName: 'A\u0000' },
      { context: { locale: 'de' } },
    )
    expect(await fieldsOf(res)).toEqual({ firstName: ['Bitte entfernen Sie unsichtbare Zeichen.'] })
  })

  it('keeps line breaks in a textarea, and joiners that spell names and emoji', async () => {
    const p = await start()
    const res = await p.submit('hostile', {
      email: 'ana@example.com',
      firstName: 'می\u200Cخواهم 👩\u200D💻',
      notes: 'line one\nline two',
    })
    expect(res.status).toBe(200)
  })
})

describe('emails as the upstreams check them', () => {
  it.each(['ana@example..com', '.ana@example.com', 'ana.@example.com', 'a..na@example.com', 'ana@-example.com'])(
    'refuses %s before any upstream sees it',
    async (email) => {
      const p = await start()
      expect(await fieldsOf(await p.submit('hostile', { email }))).toEqual({
        email: ['Please enter a valid email address.'],
      })
      expect(deliveries(p)).toEqual([])
    },
  )
})

describe('lengths bounded by the upstreams', () => {
  it('answers a 300-character first name with 422 in the person language, not 503', async () => {
    const p = await start()
    const res = await p.submit(
      'hostile',
      { email: 'ana@example.com', firstName: 'A'.repeat(300) },
      { context: { locale: 'fr' } },
    )
    expect(await fieldsOf(res)).toEqual({ firstName: ['Veuillez utiliser 255 caractères au maximum.'] })
    expect(deliveries(p)).toEqual([])
  })

  it('answers a value over 4,000 characters with a 422 field error, not a 400 about the body', async () => {
    const p = await start()
    const res = await p.submit('hostile', { email: 'ana@example.com', notes: 'x'.repeat(5_000) })
    expect(await fieldsOf(res)).toEqual({ notes: ['Please use at most 4000 characters.'] })
    expect(deliveries(p)).toEqual([])
  })

  it('keeps 413 for a body over the byte limit', async () => {
    const p = await start()
    const res = await p.submit('hostile', { email: 'ana@example.com', notes: 'x'.repeat(20_000) })
    expect(res.status).toBe(413)
  })

  it('trims what it stores', async () => {
    const p = await start()
    const res = await p.submit('hostile', { email: '  ana@example.com ', firstName: '  Ana  ' })
    expect(res.status).toBe(200)
    expect(p.fake?.people[0]).toMatchObject({ firstName: 'Ana' })
  })
})

describe('phone numbers', () => {
  it("reads a national number in the form's defaultCountry and stores its E.164 digits", async () => {
    const p = await start(hostileForm({ defaultCountry: 'CH' }))
    const res = await p.submit('hostile', { email: 'ana@example.com', phone: '079 302 67 27' })
    expect(res.status).toBe(200)
    expect(p.fake?.people[0]?.contactInformation?.phone).toEqual([{ number: '41793026727' }])
  })

  it('refuses a national number without a defaultCountry, and a number that cannot exist', async () => {
    const p = await start()
    for (const phone of ['079 302 67 27', '+1 555 0100', '+41 79 302 67 2']) {
      const res = await p.submit('hostile', { email: 'ana@example.com', phone }, { context: { locale: 'hr' } })
      expect(await fieldsOf(res)).toEqual({ phone: ['Unesite valjani broj telefona.'] })
    }
    expect(deliveries(p)).toEqual([])
  })
})

describe('analytics headers sent to Infobip', () => {
  it.each([
    ['春节促销', encodeURIComponent('春节促销')],
    ['sale 🎉', `sale ${encodeURIComponent('🎉')}`],
    ['bf\r\nX-Evil: 1', 'bf%0D%0AX-Evil: 1'],
  ])('delivers campaign %j with an encoded header', async (campaign, header) => {
    proxy = await createTestProxy()
    const res = await proxy.submit(
      'newsletter',
      { email: 'fay@example.com', first_name: 'Fay', consent: true },
      { context: { campaign } },
    )
    expect(await res.json()).toEqual({ status: 'enrolled' })
    const [submission] = proxy.fake?.formSubmissions(SANDBOX_SEED.activeFormId) ?? []
    expect(submission?.campaign).toBe(header)
    expect(proxy.logText()).not.toContain('could not be reached')
  })
})

describe('a value the upstream refuses', () => {
  it('fails the delivery once with the reason instead of retrying it forever', async () => {
    const p = await start()
    p.fake?.failNext(
      { method: 'POST', path: /communication/ },
      { status: 400, body: { errorCode: 'BAD_REQUEST', errorMessage: 'firstName is not valid' } },
    )
    // The person passed every check we know of; the upstream's refusal is the operator's to read.
    const res = await p.submit('hostile', { email: 'ana@example.com', firstName: 'Ana' })
    expect(res.status).toBe(503)
    expect(p.outbox.list({})).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        lastError: expect.stringContaining('firstName is not valid'),
      }),
    ])
    expect(deliveries(p)).toHaveLength(1)
  })
})
