// RapidPro's rules as its source states them (nyaruka/rapidpro: temba/api/v2/serializers.py,
// temba/api/v2/fields.py, temba/contacts/models.py URN, temba/api/support.py, temba/tests/dates.py):
// the fake refuses what RapidPro refuses, and the proxy never sends what it would refuse.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRapidproFake, type RapidproFake, type RapidproFakeOptions } from '../../fakes/rapidpro-fake'
import { isDjangoEmail as fakeEmail } from '../../fakes/rapidpro/urns'
import { ConfigError, loadConfig } from '../../proxy/config/load'
import { hintFor } from '../../proxy/delivery/retry-policy'
import { RapidproClient } from '../../proxy/upstreams/rapidpro/client'
import { toRapidproContact } from '../../proxy/upstreams/rapidpro/contact'
import { type RapidproHttpError } from '../../proxy/upstreams/rapidpro/errors'
import { toIso6393 } from '../../proxy/common/iso639'
import { RapidproThrottle, RapidproThrottledError } from '../../proxy/upstreams/rapidpro/throttle'
import { isDjangoEmail, mailtoUrn, telUrn } from '../../proxy/upstreams/rapidpro/urns'
import { tempDir } from '../helpers/temp-dir'

const BASE = 'https://rapidpro.example.org'
const AUTH = { authorization: 'Token tok' }

async function post(fake: RapidproFake, query: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fake.fetch(`${BASE}/api/v2/contacts.json${query}`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as unknown }
}

function fakeWith(options: RapidproFakeOptions = {}): RapidproFake {
  return createRapidproFake({
    fields: [{ name: 'Nickname' }, { name: 'Activated At', type: 'datetime' }, { name: 'Size', type: 'number' }],
    ...options,
  })
}

const invalidUrn = (value: string) => `Invalid URN: ${value}. Ensure phone numbers contain country codes.`

describe('RapidPro languages', () => {
  it.each(['ger', 'fre', 'xyz', 'qaa'])('the fake refuses %s as RapidPro does (pycountry alpha_3)', async (code) => {
    const answer = await post(fakeWith(), '', { urns: ['tel:+41793026727'], language: code })
    expect(answer).toEqual({ status: 400, json: { language: ['Not a valid ISO639-3 language code.'] } })
  })

  it('the fake takes real ISO 639-3 codes', async () => {
    for (const code of ['deu', 'fra', 'eng', 'fil']) {
      const answer = await post(fakeWith(), `?urn=${encodeURIComponent(`mailto:${code}@example.com`)}`, {
        language: code,
      })
      expect(answer.status).toBe(201)
    }
  })

  it('maps BCP 47 locales and codes to ISO 639-3 from the kept dataset', () => {
    expect(toIso6393('de-CH')).toBe('deu')
    expect(toIso6393('pt_BR')).toBe('por')
    expect(toIso6393('iw')).toBe('heb')
    expect(toIso6393('ger')).toBe('deu')
    expect(toIso6393('fil')).toBe('fil')
    expect(toIso6393('yue-HK')).toBe('yue')
    for (const bad of ['english', 'xyz', 'qaa', 'zz', '', 'x-private']) {
      expect(toIso6393(bad)).toBeUndefined()
    }
  })

  it('a signup with an unmappable language is still written, without a language, with a warning', async () => {
    const warnings: string[] = []
    const plan = toRapidproContact(
      { email: 'ana@example.com', lang: 'english' },
      { email: 'email', lang: 'preferredLanguage' },
      {},
      { warn: (message) => warnings.push(message) },
    )
    expect(plan.body).not.toHaveProperty('language')
    expect(warnings).toEqual([expect.stringContaining('"english"')])
    const fake = fakeWith()
    const client = new RapidproClient({
      baseUrl: BASE,
      token: 'tok',
      fetch: fake.fetch,
      throttle: new RapidproThrottle(),
    })
    expect((await client.upsertContact(plan.urn ?? '', plan.body)).created).toBe(true)
  })

  it('refuses rapidpro.language at start unless RapidPro would take it, naming file and path', () => {
    const dir = tempDir('config')
    const file = join(dir, 'flowform.config.json')
    const form = (language: string) => ({
      forms: [
        {
          id: 'welcome',
          allowedOrigins: ['https://shop.example.com'],
          fields: [{ name: 'email', type: 'email', required: true, label: 'Email' }],
          rapidpro: { language },
        },
      ],
    })
    writeFileSync(file, JSON.stringify(form('ger')))
    expect(() => loadConfig({ path: file, demoOrigins: [] })).toThrow(ConfigError)
    const message = (() => {
      try {
        loadConfig({ path: file, demoOrigins: [] })
        return ''
      } catch (error) {
        return (error as Error).message
      }
    })()
    expect(message).toContain(file)
    expect(message).toContain('$.forms[0].rapidpro.language')
    expect(message).toContain('use "deu"')
    writeFileSync(file, JSON.stringify(form('qaa')))
    expect(() => loadConfig({ path: file, demoOrigins: [] })).toThrow(/ISO 639-3/)
    writeFileSync(file, JSON.stringify(form('deu')))
    expect(loadConfig({ path: file, demoOrigins: [] }).config.forms[0]?.rapidpro?.language).toBe('deu')
  })
})

describe('RapidPro URNs', () => {
  it.each([
    'tel:+1234567890', // too short for +1
    'tel:+999123456789', // no such country code
    'tel:+123456789012345', // 15 digits: too long
    'tel:+0793026727', // a national number given a "+"
    'TEL:+41793026727', // schemes are lower case
    'mailto:a@b.c',
    'mailto:a..b@example.com',
    'mailto:a@-example.com',
    'mailto:ana@example.com.',
    'mailto:ñandú@example.com',
    'tel:0793026727', // national, and the workspace has no default country
  ])('the fake refuses %s', async (urn) => {
    expect(await post(fakeWith(), '', { urns: [urn] })).toEqual({
      status: 400,
      json: { urns: { 0: [invalidUrn(urn)] } },
    })
  })

  it('the fake normalises as RapidPro does: 11+ digits gain a "+", query and display are accepted', async () => {
    const fake = fakeWith()
    const answer = await post(fake, '', { urns: ['tel:41 79 302 67 27', 'mailto:Ana@Example.com#Ana', 'ext:1?x=y'] })
    expect(answer.status).toBe(201)
    expect((answer.json as { urns: string[] }).urns).toEqual(['tel:+41793026727', 'mailto:ana@example.com', 'ext:1'])
  })

  it("the fake reads national numbers in the workspace's default country", async () => {
    const answer = await post(fakeWith({ country: 'CH' }), '', { urns: ['tel:079 302 67 27'] })
    expect((answer.json as { urns: string[] }).urns).toEqual(['tel:+41793026727'])
  })

  it("the proxy builds tel URNs with the form's default country, and none it cannot", () => {
    expect(telUrn('079 302 67 27', 'CH')).toBe('tel:+41793026727')
    expect(telUrn('079 302 67 27')).toBeNull()
    expect(telUrn('+1234567890')).toBeNull()
    expect(telUrn('41793026727')).toBe('tel:+41793026727')
    const plan = toRapidproContact(
      { email: 'a@b.c', phone: '079 302 67 27' },
      { email: 'email', phone: 'phone' },
      {},
      { defaultCountry: 'CH' },
    )
    expect(plan.urns).toEqual(['tel:+41793026727'])
  })

  it('the proxy keeps out of mailto what Django refuses, and escapes # and ?', () => {
    for (const bad of ['a@b.c', 'a..b@x.com', 'a@-example.com', 'a@example.com.', 'ñ@x.com', '"a b"@x.com']) {
      expect(mailtoUrn(bad)).toBeNull()
    }
    expect(mailtoUrn(' Ana@Example.COM ')).toBe('mailto:ana@example.com')
    expect(mailtoUrn('ana@bücher.ch')).toBe('mailto:ana@bücher.ch')
    expect(mailtoUrn('a#b?c@x.com')).toBe('mailto:a%23b%3Fc@x.com')
  })

  it('the proxy and the fake (a port of Django with its own patterns) agree on email addresses', () => {
    const local = fc.stringMatching(/^[a-zA-Z0-9.!#_"ñ+-]{0,12}$/)
    const domain = fc.stringMatching(/^[a-z0-9.-]{0,14}$/)
    fc.assert(
      fc.property(local, domain, (user, host) => {
        const address = `${user}@${host}`
        expect(isDjangoEmail(address)).toBe(fakeEmail(address))
      }),
      { numRuns: 2_000 },
    )
  })

  it('a sent mailto URN with # and ? round-trips through the fake', async () => {
    const urn = mailtoUrn('a#b?c@example.com') ?? ''
    const answer = await post(fakeWith(), `?urn=${encodeURIComponent(urn)}`, {})
    expect(answer.status).toBe(201)
    expect((answer.json as { urns: string[] }).urns).toEqual([urn])
  })
})

describe('RapidPro contact writes', () => {
  it('refuses writes to a deleted contact (400 "Deleted contacts can\'t be modified.") and malformed UUIDs', async () => {
    const fake = fakeWith()
    const created = await post(fake, '', { urns: ['tel:+41793026727'] })
    const uuid = (created.json as { uuid: string }).uuid
    const del = await fake.fetch(`${BASE}/api/v2/contacts.json?uuid=${uuid}`, { method: 'DELETE', headers: AUTH })
    expect(del.status).toBe(204)
    expect(await post(fake, `?uuid=${uuid}`, { name: 'Ana' })).toEqual({
      status: 400,
      json: { non_field_errors: ["Deleted contacts can't be modified."] },
    })
    expect(await post(fake, '?uuid=not-a-uuid', {})).toEqual({
      status: 400,
      json: { detail: "Param 'uuid': not-a-uuid is not a valid UUID." },
    })
    const listed = await fake.fetch(`${BASE}/api/v2/contacts.json?deleted=true`, { headers: AUTH })
    expect(((await listed.json()) as { results: { uuid: string }[] }).results.map((c) => c.uuid)).toEqual([uuid])
  })

  it('refuses a blank name, group objects and NUL in values; takes numbers as field values', async () => {
    const fake = fakeWith()
    expect(await post(fake, '', { name: '  ' })).toEqual({
      status: 400,
      json: { name: ['This field may not be blank.'] },
    })
    expect(await post(fake, '', { groups: [{ name: 'Newsletter' }] })).toEqual({
      status: 400,
      json: { groups: ['Must be a string or integer'] },
    })
    expect(await post(fake, '', { fields: { nickname: 'a\u0000b' } })).toEqual({
      status: 400,
      json: { fields: { nickname: ['Null characters are not allowed.'] } },
    })
    const numbers = await post(fake, '', { urns: ['tel:+41793026727'], fields: { size: 42, nickname: 7 } })
    expect(numbers.status).toBe(201)
    expect((numbers.json as { fields: Record<string, unknown> }).fields).toMatchObject({ size: '42', nickname: '7' })
  })

  it('reads a datetime value without a time zone back as null, as RapidPro does', async () => {
    const fake = fakeWith()
    const write = async (value: string) =>
      (
        (await post(fake, `?urn=${encodeURIComponent('tel:+41793026727')}`, { fields: { activated_at: value } }))
          .json as { fields: Record<string, unknown> }
      ).fields.activated_at
    expect(await write('2017-11-11T11:12:13')).toBeNull()
    expect(await write('2017-11-11T11:12:13Z')).toBe('2017-11-11T11:12:13.000000Z')
    expect(await write('2017-11-11 11:12:13+02:00')).toBe('2017-11-11T09:12:13.000000Z')
  })

  it('the proxy sends dates with a time zone, no NUL and no blank name', () => {
    const plan = toRapidproContact(
      { email: 'ana@example.com', born: '1990-01-02', at: '2024-05-01T10:30', firstName: ' \u0000 ', note: 'a\u0000b' },
      { email: 'email', born: 'birthDate', at: 'visitAt', firstName: 'firstName', note: 'note' },
      {},
      { fieldTypes: { born: 'date', at: 'datetime' } },
    )
    expect(plan.body.fields).toEqual({
      birth_date: '1990-01-02T12:00:00Z',
      visit_at: '2024-05-01T10:30:00Z',
      note: 'ab',
    })
    expect(plan.body).not.toHaveProperty('name')
  })
})

describe('RapidPro tokens and throttling', () => {
  it('a 403 "Invalid token" gets the token hint, a 403 for a permission the permission hint', async () => {
    const fake = createRapidproFake({ token: 'right' })
    const client = new RapidproClient({
      baseUrl: BASE,
      token: 'wrong',
      fetch: fake.fetch,
      throttle: new RapidproThrottle(),
    })
    const error = (await client.listFields().catch((e: unknown) => e)) as RapidproHttpError
    expect([error.status, error.upstreamCode]).toEqual([403, 'INVALID_TOKEN'])
    expect(hintFor('rapidpro', error.status, error.upstreamCode)).toBe('check RAPIDPRO_TOKEN')
    expect(hintFor('rapidpro', 403, undefined)).toBe('the RapidPro token lacks a permission')
  })

  it('holds calls back per workspace in two budgets, without calling RapidPro', async () => {
    let t = 0
    const throttle = new RapidproThrottle({ rates: { contacts: 2, other: 1 }, now: () => t })
    const fake = fakeWith()
    const one = new RapidproClient({ baseUrl: BASE, token: 'tok', fetch: fake.fetch, throttle })
    // Another token of the same workspace (RapidPro names it in X-Temba-Workspace) shares the budgets.
    const two = new RapidproClient({ baseUrl: BASE, token: 'other', fetch: fake.fetch, throttle })
    await one.getContact({ urn: 'tel:+41793026727' })
    await two.getContact({ urn: 'tel:+41793026727' })
    const held = await one.getContact({ urn: 'tel:+41793026727' }).catch((e: unknown) => e)
    expect(held).toBeInstanceOf(RapidproThrottledError)
    expect(held).toMatchObject({ heldBack: true, transient: true, retryAfterSeconds: 3_600 })
    // fields/groups/contact_actions have their own budget.
    await one.listFields()
    await expect(two.listGroups()).rejects.toBeInstanceOf(RapidproThrottledError)
    expect(fake.requests).toHaveLength(3)
    t += 3_600_001
    await expect(one.getContact({ urn: 'tel:+41793026727' })).resolves.toBeNull()
  })

  it("a 429 holds back the scope's other calls for its Retry-After, without calling RapidPro", async () => {
    let t = 0
    const throttle = new RapidproThrottle({ now: () => t })
    const fake = fakeWith()
    const client = new RapidproClient({ baseUrl: BASE, token: 'tok', fetch: fake.fetch, throttle })
    fake.failNext(
      { method: 'GET', path: '/api/v2/contacts.json' },
      { status: 429, headers: { 'retry-after': '20' }, body: { detail: 'Request was throttled.' } },
    )
    await expect(client.getContact({ urn: 'tel:+41793026727' })).rejects.toMatchObject({ status: 429 })
    const held = await client.getContact({ urn: 'tel:+41793026727' }).catch((e: unknown) => e)
    expect(held).toBeInstanceOf(RapidproThrottledError)
    expect(held).toMatchObject({ heldBack: true, retryAfterSeconds: 20 })
    // The other budget is not paused.
    await client.listFields()
    expect(fake.requests).toHaveLength(2)
    t += 20_000
    await expect(client.getContact({ urn: 'tel:+41793026727' })).resolves.toBeNull()
    expect(fake.requests).toHaveLength(3)
    // A Retry-After far beyond RapidPro's hour-long window holds the scope for an hour at most.
    fake.failNext(
      { method: 'GET', path: '/api/v2/fields.json' },
      { status: 429, headers: { 'retry-after': String(30 * 86_400) }, body: { detail: 'Request was throttled.' } },
    )
    await expect(client.listFields()).rejects.toMatchObject({ status: 429 })
    await expect(client.listFields()).rejects.toBeInstanceOf(RapidproThrottledError)
    t += 3_600_001
    await expect(client.listFields()).resolves.toBeDefined()
  })
})
