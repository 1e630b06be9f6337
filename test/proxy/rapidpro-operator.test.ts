import { describe, expect, it } from 'vitest'
import { FormConfig } from '../../proxy/config/schema'
import { checkRapidpro } from '../../proxy/upstreams/rapidpro/check'
import { RapidproClient } from '../../proxy/upstreams/rapidpro/client'
import { toRapidproContact } from '../../proxy/upstreams/rapidpro/contact'
import { eraseContact } from '../../proxy/upstreams/rapidpro/erase'
import { RapidproSetupError, syncRapidpro } from '../../proxy/upstreams/rapidpro/sync'
import { RAPIDPRO_SANDBOX_SEED, createRapidproFake } from '../../fakes/rapidpro-fake'
import type { RapidproFakeOptions } from '../../fakes/rapidpro-fake'

function setup(options: RapidproFakeOptions = {}) {
  const fake = createRapidproFake({ token: 'tok', ...options })
  const client = new RapidproClient({ baseUrl: 'https://rapidpro.example.org', token: 'tok', fetch: fake.fetch })
  return { fake, client }
}

const form = (rapidpro: unknown, id = 'signup') =>
  FormConfig.parse({
    id,
    allowedOrigins: ['https://shop.example.com'],
    fields: [
      { name: 'email', type: 'email', required: true },
      { name: 'firstName', type: 'text' },
      { name: 'birthDate', type: 'date' },
      { name: 'shoeSize', type: 'number' },
      { name: 'consent', type: 'checkbox' },
    ],
    rapidpro,
  })

describe('syncRapidpro', () => {
  it('creates the missing fields and groups, and is idempotent', async () => {
    const { fake, client } = setup()
    const signup = form({ groups: ['Newsletter', 'Spring Sale', RAPIDPRO_SANDBOX_SEED.vipGroupUuid] })
    expect(await syncRapidpro(client, signup)).toEqual({
      createdFields: ['birth_date', 'shoe_size'],
      existingFields: ['consent'],
      createdGroups: ['Spring Sale'],
      existingGroups: ['Newsletter', RAPIDPRO_SANDBOX_SEED.vipGroupUuid],
    })
    expect(fake.fields.map((f) => [f.key, f.type])).toEqual([
      ['consent', 'text'],
      ['birth_date', 'datetime'],
      ['shoe_size', 'number'],
    ])
    expect(fake.groups.map((g) => g.name)).toEqual(['Newsletter', 'VIP', 'Spring Sale'])
    const writes = fake.requests.filter((r) => r.method === 'POST').length
    expect(await syncRapidpro(client, signup)).toEqual({
      createdFields: [],
      existingFields: ['birth_date', 'shoe_size', 'consent'],
      createdGroups: [],
      existingGroups: ['Newsletter', 'Spring Sale', RAPIDPRO_SANDBOX_SEED.vipGroupUuid],
    })
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(writes)
  })

  it('creates exactly the keys a signup then writes', async () => {
    const { client } = setup()
    const signup = form({ groups: ['Newsletter'], fields: { consent: 'newsletter_consent' } })
    await syncRapidpro(client, signup)
    const plan = toRapidproContact(
      { email: 'a@example.com', birthDate: '1990-01-02', shoeSize: '42', consent: true },
      { email: 'email', birthDate: 'birthDate', shoeSize: 'shoeSize', consent: 'consent' },
      signup.rapidpro ?? {},
      { fieldTypes: Object.fromEntries((signup.fields ?? []).map((f) => [f.name, f.type])) },
    )
    const saved = await client.upsertContact(plan.urn ?? '', plan.body)
    // A datetime field keeps only a value with a time zone: a date is sent as noon UTC.
    expect(saved.contact.fields).toMatchObject({
      birth_date: '1990-01-02T12:00:00.000000Z',
      shoe_size: '42',
      newsletter_consent: 'true',
    })
  })

  it('only checks groups given by UUID, and refuses smart groups, before creating anything', async () => {
    const { fake, client } = setup({
      groups: [{ name: 'Newsletter' }, { name: 'Engaged', query: 'last_seen_on > 30' }],
    })
    const missing = form({ groups: ['New One', '0a3c1c2e-0000-4000-8000-00000000d4af'] })
    await expect(syncRapidpro(client, missing)).rejects.toThrow(RapidproSetupError)
    await expect(syncRapidpro(client, missing)).rejects.toThrow(
      /no RapidPro group has the UUID 0a3c1c2e-0000-4000-8000-00000000d4af/,
    )
    await expect(syncRapidpro(client, form({ groups: ['engaged'] }))).rejects.toThrow(/smart group/)
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([])
  })

  it('does nothing for a form without a rapidpro block', async () => {
    const { fake, client } = setup()
    const plain = FormConfig.parse({
      id: 'p',
      allowedOrigins: ['https://shop.example.com'],
      fields: [{ name: 'email', type: 'email' }],
      flow: { api: 'legacy', campaignId: '1' },
    })
    expect(await syncRapidpro(client, plain)).toEqual({
      createdFields: [],
      createdGroups: [],
      existingFields: [],
      existingGroups: [],
    })
    expect(fake.requests).toEqual([])
  })
})

describe('eraseContact', () => {
  it('deletes by email, then reports not_found', async () => {
    const { fake, client } = setup()
    await client.upsertContact('mailto:ann@example.com', { name: 'Ann' })
    expect(await eraseContact(client, { email: ' Ann@Example.com' })).toBe('deleted')
    expect(fake.contacts).toEqual([])
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', search: '?urn=mailto%3Aann%40example.com' })
    expect(await eraseContact(client, { email: 'ann@example.com' })).toBe('not_found')
  })

  it('deletes by phone whether the signup stored it as tel or whatsapp', async () => {
    const { fake, client } = setup()
    await client.upsertContact('tel:+385911234567', {})
    await client.upsertContact('whatsapp:385911234567', {})
    await client.upsertContact('mailto:keep@example.com', {})
    expect(await eraseContact(client, { phone: '+385 91 123 4567' })).toBe('deleted')
    expect(fake.contacts.map((c) => c.urns)).toEqual([['mailto:keep@example.com']])
  })

  it('needs an identifier', async () => {
    const { client } = setup()
    await expect(eraseContact(client, {})).rejects.toThrow(TypeError)
  })
})

describe('checkRapidpro', () => {
  it('reports the token, each group and missing fields', async () => {
    const { client } = setup({
      groups: [
        { name: 'Newsletter', uuid: RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid },
        { name: 'Engaged', query: 'x' },
      ],
    })
    const checks = await checkRapidpro(client, [
      form({ groups: ['newsletter', 'Missing', 'Engaged', '0a3c1c2e-0000-4000-8000-00000000d4af'] }),
      FormConfig.parse({
        id: 'plain',
        allowedOrigins: ['https://shop.example.com'],
        fields: [{ name: 'email', type: 'email' }],
        flow: { api: 'legacy', campaignId: '1' },
      }),
    ])
    expect(checks).toEqual([
      { name: 'RapidPro token', ok: true, detail: 'accepted (2 groups, 1 contact field)' },
      {
        name: 'RapidPro group "newsletter" (form signup)',
        ok: true,
        detail: `exists (${RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid})`,
      },
      {
        name: 'RapidPro group "Missing" (form signup)',
        ok: false,
        detail: 'missing: run `npx flowform rapidpro sync`',
      },
      {
        name: 'RapidPro group "Engaged" (form signup)',
        ok: false,
        detail: 'a smart (query based) group: contacts cannot be added to it',
      },
      {
        name: 'RapidPro group "0a3c1c2e-0000-4000-8000-00000000d4af" (form signup)',
        ok: false,
        detail: 'no group has this UUID',
      },
      {
        name: 'RapidPro contact fields (form signup)',
        ok: false,
        detail: 'missing birth_date, shoe_size: run `npx flowform rapidpro sync`',
      },
    ])
  })

  it('stops at a refused token, without echoing it', async () => {
    const { fake } = setup()
    const wrong = new RapidproClient({
      baseUrl: 'https://rapidpro.example.org',
      token: 'not-the-token',
      fetch: fake.fetch,
    })
    const checks = await checkRapidpro(wrong, [form({ groups: ['Newsletter'] })])
    expect(checks).toEqual([
      {
        name: 'RapidPro token',
        ok: false,
        detail: 'RapidPro refused the token (403: Invalid token): check RAPIDPRO_TOKEN',
      },
    ])
    expect(JSON.stringify(checks)).not.toContain('not-the-token')
  })

  it('says when RapidPro cannot be reached', async () => {
    const client = new RapidproClient({
      baseUrl: 'https://rapidpro.example.org',
      token: 'tok',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    })
    const [check] = await checkRapidpro(client, [])
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('check RAPIDPRO_BASE_URL') })
  })
})
