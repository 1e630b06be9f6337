import { describe, expect, it } from 'vitest'
import { RAPIDPRO_SANDBOX_SEED, createRapidproFake } from '../../fakes/rapidpro-fake'
import type { RapidproFake, RapidproFakeOptions } from '../../fakes/rapidpro-fake'

const BASE = 'https://rapidpro.example.org'
const AUTH = { authorization: 'Token abc123' }

interface Answer {
  status: number
  headers: Headers
  json: unknown
}

async function send(
  fake: RapidproFake,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    init.headers = { 'content-type': 'application/json', ...headers }
  }
  const res = await fake.fetch(`${BASE}${path}`, init)
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

const contacts = (query = '') => `/api/v2/contacts.json${query}`
const byUrn = (urn: string) => contacts(`?urn=${encodeURIComponent(urn)}`)

function fakeWith(options: RapidproFakeOptions = {}): RapidproFake {
  return createRapidproFake({ fields: [{ name: 'Consent' }, { name: 'Nickname' }], ...options })
}

describe('rapidpro fake: authentication and throttling', () => {
  // temba/api/v2/tests/test_base.py: the session authentication class comes first, so DRF answers 403.
  it('answers 403 without a token, with a wrong token, and for other schemes', async () => {
    const fake = fakeWith({ token: 'abc123' })
    expect(await send(fake, 'GET', contacts(), undefined, {})).toMatchObject({
      status: 403,
      json: { detail: 'Authentication credentials were not provided.' },
    })
    expect(await send(fake, 'GET', contacts(), undefined, { authorization: 'Token nope' })).toMatchObject({
      status: 403,
      json: { detail: 'Invalid token' },
    })
    const wrongBasic = `Basic ${Buffer.from('admin@example.org:nope').toString('base64')}`
    expect(await send(fake, 'GET', contacts(), undefined, { authorization: wrongBasic })).toMatchObject({
      status: 403,
      json: { detail: 'Invalid token or email' },
    })
    expect((await send(fake, 'GET', contacts(), undefined, { authorization: 'Bearer abc123' })).status).toBe(403)
    expect((await send(fake, 'GET', contacts())).status).toBe(200)
    const basic = `Basic ${Buffer.from('admin@example.org:abc123').toString('base64')}`
    expect((await send(fake, 'GET', contacts(), undefined, { authorization: basic })).status).toBe(200)
  })

  it('accepts any token when none is configured', async () => {
    expect((await send(fakeWith(), 'GET', contacts(), undefined, { authorization: 'Token whatever' })).status).toBe(200)
  })

  // temba OrgUserRateThrottle: keyed by workspace, not token; contacts.json ("v2.contacts") has its
  // own budget, contact_actions, fields and groups share "v2".
  it('throttles per workspace and scope with 429, a DRF detail and Retry-After', async () => {
    let t = 1_000_000
    const fake = fakeWith({ rateLimit: { requests: 2, windowSeconds: 60 }, now: () => t })
    await send(fake, 'GET', contacts())
    t += 10_000
    await send(fake, 'GET', contacts())
    const third = await send(fake, 'GET', contacts())
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('50')
    expect(third.json).toEqual({ detail: 'Request was throttled. Expected available in 50 seconds.' })
    // Another token of the same workspace shares the budget.
    expect((await send(fake, 'GET', contacts(), undefined, { authorization: 'Token other' })).status).toBe(429)
    // The other scope has its own.
    expect((await send(fake, 'GET', '/api/v2/fields.json')).status).toBe(200)
    expect((await send(fake, 'GET', '/api/v2/groups.json')).status).toBe(200)
    expect((await send(fake, 'GET', '/api/v2/groups.json')).status).toBe(429)
    t += 50_000
    expect((await send(fake, 'GET', contacts())).status).toBe(200)
  })

  it("throttles at RapidPro's default of 3,600 an hour and names the workspace", { timeout: 30_000 }, async () => {
    const t = 5_000_000
    const fake = fakeWith({ now: () => t })
    const first = await send(fake, 'GET', '/api/v2/fields.json')
    expect(first.headers.get('x-temba-workspace')).toMatch(/^[0-9a-f-]{36}$/)
    // The cheapest calls of the "v2" scope: unknown endpoints are throttled before they are routed.
    let last = first
    for (let i = 1; i < 3_600; i += 1) {
      last = await send(fake, 'GET', '/api/v2/nothing.json')
    }
    expect(last.status).toBe(404)
    expect((await send(fake, 'GET', '/api/v2/fields.json')).status).toBe(429)
  })
})

describe('rapidpro fake: contacts', () => {
  it('creates with urns (201), normalising tel and mailto', async () => {
    const fake = fakeWith()
    const res = await send(fake, 'POST', contacts(), {
      name: 'Ben',
      language: 'eng',
      urns: ['tel:+250-78-8123123', 'mailto:Ben@Example.COM', 'whatsapp:250788123123', 'ext:123456'],
      groups: ['newsletter'],
      fields: { nickname: 'Macklemore' },
    })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({
      name: 'Ben',
      language: 'eng',
      status: 'active',
      urns: ['tel:+250788123123', 'mailto:ben@example.com', 'whatsapp:250788123123', 'ext:123456'],
      groups: [{ uuid: RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid, name: 'Newsletter' }],
      fields: { consent: null, nickname: 'Macklemore' },
      flow: null,
      last_seen_on: null,
    })
    expect((res.json as { created_on: string }).created_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  })

  it('creates by ?urn= (201) and then updates only what the body names (200)', async () => {
    const fake = fakeWith()
    const created = await send(fake, 'POST', byUrn('tel:+250-78-5555555'), {
      name: 'Bobby',
      fields: { nickname: 'Bob' },
    })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ urns: ['tel:+250785555555'], name: 'Bobby' })
    const updated = await send(fake, 'POST', byUrn('tel:+250785555555'), {
      language: 'fra',
      fields: { consent: 'yes' },
    })
    expect(updated.status).toBe(200)
    expect(updated.json).toMatchObject({ name: 'Bobby', language: 'fra', fields: { nickname: 'Bob', consent: 'yes' } })
    const cleared = await send(fake, 'POST', byUrn('tel:+250785555555'), { name: null, fields: { nickname: '' } })
    expect(cleared.json).toMatchObject({ name: null, fields: { nickname: null } })
    expect(fake.contacts).toHaveLength(1)
  })

  it('refuses urns in the body together with ?urn=', async () => {
    const fake = fakeWith()
    const res = await send(fake, 'POST', byUrn('mailto:a@example.com'), { urns: ['tel:+250785555555'] })
    expect(res).toMatchObject({ status: 400, json: { urns: ['Field not allowed when using URN in URL'] } })
    expect(fake.contacts).toEqual([])
  })

  it('validates URNs with the documented messages', async () => {
    const fake = fakeWith()
    const message = (urn: string) => `Invalid URN: ${urn}. Ensure phone numbers contain country codes.`
    for (const urn of [
      'tel:0788123123',
      'tel:+0788123',
      'mailto:not-an-email',
      'whatsapp:+250788123123',
      'nope:123',
      'tel:',
    ]) {
      const res = await send(fake, 'POST', contacts(), { urns: ['mailto:ok@example.com', urn] })
      expect(res, urn).toMatchObject({ status: 400, json: { urns: { '1': [message(urn)] } } })
    }
    // A URN in the URL that cannot even be parsed is a query error; a parsable but invalid one is refused on create.
    expect(await send(fake, 'POST', byUrn('12345'), {})).toMatchObject({
      status: 400,
      json: { detail: 'Invalid URN: 12345' },
    })
    expect(await send(fake, 'POST', byUrn('mailto:Not An Email'), {})).toMatchObject({
      status: 400,
      json: { non_field_errors: [message('mailto:not an email')] },
    })
    expect(fake.contacts).toEqual([])
  })

  it('refuses a URN that belongs to another contact', async () => {
    const fake = fakeWith()
    await send(fake, 'POST', contacts(), { urns: ['tel:+250785555555'] })
    const other = await send(fake, 'POST', contacts(), {
      name: 'Robert',
      urns: ['mailto:rob@example.com', 'tel:+250-78-5555555'],
    })
    expect(other).toMatchObject({ status: 400, json: { urns: { '1': ['URN is in use by another contact.'] } } })
    const second = await send(fake, 'POST', byUrn('mailto:rob@example.com'), {})
    const uuid = (second.json as { uuid: string }).uuid
    expect(
      await send(fake, 'POST', contacts(`?uuid=${uuid}`), { urns: ['mailto:rob@example.com', 'tel:+250785555555'] }),
    ).toMatchObject({
      status: 400,
      json: { urns: { '1': ['URN is in use by another contact.'] } },
    })
  })

  it('refuses unknown and smart groups, unknown field keys and bad languages', async () => {
    const fake = fakeWith({ groups: [{ name: 'Newsletter' }, { name: 'Engaged', query: 'last_seen_on > 30' }] })
    expect(await send(fake, 'POST', contacts(), { groups: ['Nope'] })).toMatchObject({
      status: 400,
      json: { groups: ['No such object: Nope'] },
    })
    expect(await send(fake, 'POST', contacts(), { groups: ['Engaged'] })).toMatchObject({
      status: 400,
      json: { groups: ['Contact group must not be query based: Engaged'] },
    })
    expect(await send(fake, 'POST', contacts(), { fields: { shoe_size: '42' } })).toMatchObject({
      status: 400,
      json: { fields: ['Invalid contact field key: shoe_size'] },
    })
    expect(await send(fake, 'POST', contacts(), { fields: { consent: true } })).toMatchObject({
      status: 400,
      json: { fields: { consent: ['Not a valid string.'] } },
    })
    expect((await send(fake, 'POST', contacts(), { language: 'en' })).json).toEqual({
      language: ['Ensure this field has at least 3 characters.'],
    })
    expect((await send(fake, 'POST', contacts(), { language: 'english' })).json).toEqual({
      language: ['Ensure this field has no more than 3 characters.'],
    })
    expect((await send(fake, 'POST', contacts(), { language: 'EN1' })).json).toEqual({
      language: ['Not a valid ISO639-3 language code.'],
    })
    expect((await send(fake, 'POST', contacts(), { name: 'x'.repeat(65) })).json).toEqual({
      name: ['Ensure this field has no more than 64 characters.'],
    })
    expect(fake.contacts).toEqual([])
  })

  it('replaces the manual groups of a contact written with groups, as RapidPro does', async () => {
    const fake = fakeWith()
    await send(fake, 'POST', contacts(), { urns: ['mailto:vip@example.com'], groups: ['VIP'] })
    const res = await send(fake, 'POST', byUrn('mailto:vip@example.com'), { groups: ['Newsletter'] })
    expect((res.json as { groups: { name: string }[] }).groups.map((g) => g.name)).toEqual(['Newsletter'])
  })

  it('adds to a group through contact_actions without touching the others', async () => {
    const fake = fakeWith()
    const created = await send(fake, 'POST', contacts(), { urns: ['mailto:vip@example.com'], groups: ['VIP'] })
    const uuid = (created.json as { uuid: string }).uuid
    expect(
      (
        await send(fake, 'POST', '/api/v2/contact_actions.json', {
          contacts: [uuid],
          action: 'add',
          group: 'Newsletter',
        })
      ).status,
    ).toBe(204)
    expect(fake.contact('mailto:VIP@example.com')?.groups.map((g) => g.name)).toEqual(['VIP', 'Newsletter'])
    expect(
      await send(fake, 'POST', '/api/v2/contact_actions.json', { contacts: [uuid], action: 'add', group: 'Nope' }),
    ).toMatchObject({
      status: 400,
      json: { group: ['No such object: Nope'] },
    })
    expect(
      await send(fake, 'POST', '/api/v2/contact_actions.json', { contacts: ['gone'], action: 'add', group: 'VIP' }),
    ).toMatchObject({
      status: 400,
      json: { contacts: ['No such object: gone'] },
    })
    expect(await send(fake, 'POST', '/api/v2/contact_actions.json', { contacts: [uuid], action: 'add' })).toMatchObject(
      {
        status: 400,
        json: { non_field_errors: ['For action "add" you should also specify a group'] },
      },
    )
  })

  it('looks up by uuid (404 when unknown) and never by both', async () => {
    const fake = fakeWith()
    expect(await send(fake, 'POST', contacts('?uuid=ad6acad9-959b-4d70-b144-5de2891e4d00'), {})).toMatchObject({
      status: 404,
      json: { detail: 'Not found.' },
    })
    expect(
      await send(fake, 'POST', contacts('?uuid=ad6acad9-959b-4d70-b144-5de2891e4d00&urn=tel%3A%2B250785555555'), {}),
    ).toMatchObject({
      status: 400,
      json: { detail: 'URL can only contain one of the following parameters: urn, uuid' },
    })
    // temba/api/views.py get_lookup_values: a malformed UUID is a 400, not a 404.
    expect(await send(fake, 'POST', contacts('?uuid=x'), {})).toMatchObject({
      status: 400,
      json: { detail: "Param 'uuid': x is not a valid UUID." },
    })
  })

  it('refuses a body that is not one JSON object', async () => {
    const fake = fakeWith()
    expect(await send(fake, 'POST', contacts(), [1, 2])).toMatchObject({
      status: 400,
      json: { non_field_errors: ['Request body should be a single JSON object'] },
    })
    expect((await send(fake, 'POST', contacts(), '{"name":')).status).toBe(400)
  })

  it('deletes by urn or uuid: 204, then 404; needs one of them', async () => {
    const fake = fakeWith()
    await send(fake, 'POST', byUrn('tel:+250783835665'), {})
    expect((await send(fake, 'DELETE', byUrn('tel:+250783835665'))).status).toBe(204)
    expect(await send(fake, 'DELETE', byUrn('tel:+250783835665'))).toMatchObject({
      status: 404,
      json: { detail: 'Not found.' },
    })
    expect(await send(fake, 'DELETE', contacts())).toMatchObject({
      status: 400,
      json: { detail: 'URL must contain one of the following parameters: urn, uuid' },
    })
    expect(fake.contacts).toEqual([])
  })

  it('lists with filters and cursor pages', async () => {
    let t = 1_000
    const fake = fakeWith({ pageSize: 2, now: () => (t += 1) })
    for (const name of ['a', 'b', 'c']) {
      await send(fake, 'POST', byUrn(`mailto:${name}@example.com`), { name, groups: name === 'b' ? ['VIP'] : [] })
    }
    const first = (await send(fake, 'GET', contacts())).json as {
      next: string | null
      previous: string | null
      results: { name: string }[]
    }
    expect(first.results.map((c) => c.name)).toEqual(['c', 'b'])
    expect(first.previous).toBeNull()
    const second = (await send(fake, 'GET', new URL(first.next ?? '').pathname + new URL(first.next ?? '').search))
      .json as typeof first
    expect(second.results.map((c) => c.name)).toEqual(['a'])
    expect(second.next).toBeNull()
    expect(((await send(fake, 'GET', contacts('?group=VIP'))).json as typeof first).results.map((c) => c.name)).toEqual(
      ['b'],
    )
    expect(
      ((await send(fake, 'GET', contacts('?urn=mailto%3AA%40example.com'))).json as typeof first).results.map(
        (c) => c.name,
      ),
    ).toEqual(['a'])
  })
})

describe('rapidpro fake: fields', () => {
  it('creates a field with a generated key, new-style or legacy', async () => {
    const fake = fakeWith()
    const res = await send(fake, 'POST', '/api/v2/fields.json', { name: 'Nick Name 2', type: 'text' })
    expect(res).toMatchObject({
      status: 201,
      json: { key: 'nick_name_2', name: 'Nick Name 2', type: 'text', label: 'Nick Name 2', value_type: 'text' },
    })
    const legacy = await send(fake, 'POST', '/api/v2/fields.json', { label: 'Age', value_type: 'numeric' })
    expect(legacy).toMatchObject({ status: 201, json: { key: 'age', type: 'number', value_type: 'numeric' } })
  })

  it('refuses bad names, reserved keys, duplicates, bad types and missing values', async () => {
    const fake = fakeWith()
    const post = (body: unknown) => send(fake, 'POST', '/api/v2/fields.json', body)
    expect((await post({})).json).toEqual({ non_field_errors: ["Field 'name' is required."] })
    expect((await post({ name: 'goats' })).json).toEqual({ non_field_errors: ["Field 'type' is required."] })
    expect((await post({ name: '!@#$%', type: 'video' })).json).toEqual({
      name: ['Can only contain letters, numbers and hypens.'],
      type: ['"video" is not a valid choice.'],
    })
    expect((await post({ name: 'HAS', type: 'text' })).json).toEqual({
      name: ['Generated key "has" is invalid or a reserved name.'],
    })
    expect((await post({ name: '2nd Name', type: 'text' })).json).toEqual({
      name: ['Generated key "2nd_name" is invalid or a reserved name.'],
    })
    expect((await post({ label: 'nickname', value_type: 'text' })).json).toEqual({
      label: ['This field must be unique.'],
    })
    expect((await post({ name: 'x'.repeat(37), type: 'text' })).json).toEqual({
      name: ['Ensure this field has no more than 36 characters.'],
    })
    expect(fake.fields.map((f) => f.key)).toEqual(['consent', 'nickname'])
  })

  it('answers 409 at the workspace limit and 405 to DELETE', async () => {
    const fake = fakeWith({ limits: { fields: 2 } })
    expect(await send(fake, 'POST', '/api/v2/fields.json', { name: 'Age', type: 'number' })).toMatchObject({
      status: 409,
      json: { detail: 'Cannot create object because workspace has reached limit of 2.' },
    })
    expect((await send(fake, 'DELETE', '/api/v2/fields.json?key=consent')).status).toBe(405)
  })

  it('updates a field by key, and 404s an unknown key', async () => {
    const fake = fakeWith()
    expect(await send(fake, 'POST', '/api/v2/fields.json?key=nickname', { name: 'Nick', type: 'text' })).toMatchObject({
      status: 200,
      json: { key: 'nickname', name: 'Nick' },
    })
    expect((await send(fake, 'POST', '/api/v2/fields.json?key=nope', { name: 'X', type: 'text' })).status).toBe(404)
  })
})

describe('rapidpro fake: groups', () => {
  it('creates, refuses duplicates and bad names, deletes', async () => {
    const fake = fakeWith()
    const post = (body: unknown) => send(fake, 'POST', '/api/v2/groups.json', body)
    const created = await post({ name: 'Reporters' })
    expect(created).toMatchObject({
      status: 201,
      json: { name: 'Reporters', query: null, status: 'ready', system: false, count: 0 },
    })
    expect((await post({ name: 'reporters' })).json).toEqual({ name: ['This field must be unique.'] })
    expect((await post({ name: '"People"' })).json).toEqual({ name: ['Cannot contain the character: "'] })
    expect((await post({})).json).toEqual({ name: ['This field is required.'] })
    expect((await post({ name: 'x'.repeat(65) })).json).toEqual({
      name: ['Ensure this field has no more than 64 characters.'],
    })
    const uuid = (created.json as { uuid: string }).uuid
    expect((await send(fake, 'DELETE', `/api/v2/groups.json?uuid=${uuid}`)).status).toBe(204)
    expect((await send(fake, 'DELETE', `/api/v2/groups.json?uuid=${uuid}`)).status).toBe(404)
    expect(await send(fake, 'DELETE', '/api/v2/groups.json')).toMatchObject({
      status: 400,
      json: { detail: 'URL must contain one of the following parameters: uuid' },
    })
  })

  it('answers 409 at the workspace limit and 403 for system groups', async () => {
    const fake = fakeWith({
      limits: { groups: 2 },
      groups: [{ name: 'A' }, { name: 'B' }, { name: 'Open Tickets', system: true }],
    })
    expect(await send(fake, 'POST', '/api/v2/groups.json', { name: 'C' })).toMatchObject({
      status: 409,
      json: { detail: 'Cannot create object because workspace has reached limit.' },
    })
    const system = fake.groups.find((g) => g.system)
    expect(await send(fake, 'POST', `/api/v2/groups.json?uuid=${system?.uuid}`, { name: 'X' })).toMatchObject({
      status: 403,
      json: { detail: 'Cannot modify system object.' },
    })
  })

  it('counts members and filters by name case-insensitively', async () => {
    const fake = fakeWith()
    await send(fake, 'POST', contacts(), { urns: ['mailto:a@example.com'], groups: ['VIP'] })
    const res = (await send(fake, 'GET', '/api/v2/groups.json?name=vip')).json as {
      results: { name: string; count: number }[]
    }
    expect(res.results).toEqual([expect.objectContaining({ name: 'VIP', count: 1 })])
  })
})

describe('rapidpro fake: test levers', () => {
  it('plays scripted faults, records calls, and resets to the seed', async () => {
    const fake = fakeWith()
    fake.failNext({ method: 'POST', path: '/api/v2/contacts.json' }, { status: 503, body: { detail: 'down' } })
    expect((await send(fake, 'POST', byUrn('mailto:a@example.com'), {})).status).toBe(503)
    expect((await send(fake, 'POST', byUrn('mailto:a@example.com'), { name: 'A' })).status).toBe(201)
    await send(fake, 'POST', '/api/v2/groups.json', { name: 'Extra' })
    expect(fake.requests.map((r) => r.status)).toEqual([503, 201, 201])
    expect(fake.requests[1]).toMatchObject({
      method: 'POST',
      search: '?urn=mailto%3Aa%40example.com',
      authorization: 'Token abc123',
      body: { name: 'A' },
    })
    fake.reset()
    expect(fake.contacts).toEqual([])
    expect(fake.groups.map((g) => g.name)).toEqual(['Newsletter', 'VIP'])
    expect(fake.requests).toEqual([])
  })

  it('seeds the demo groups and the consent field by default', () => {
    const fake = createRapidproFake()
    expect(fake.groups.map((g) => [g.name, g.uuid])).toEqual([
      ['Newsletter', RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid],
      ['VIP', RAPIDPRO_SANDBOX_SEED.vipGroupUuid],
    ])
    expect(fake.fields.map((f) => f.key)).toEqual(['consent'])
  })
})
