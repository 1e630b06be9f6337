import { afterEach, describe, expect, it } from 'vitest'
import { RapidproClient } from '../../proxy/upstreams/rapidpro/client'
import { RapidproThrottle } from '../../proxy/upstreams/rapidpro/throttle'
import { RapidproHttpError, RapidproNetworkError, parseDrfErrors } from '../../proxy/upstreams/rapidpro/errors'
import { RAPIDPRO_SANDBOX_SEED, createRapidproFake } from '../../fakes/rapidpro-fake'
import type { RapidproFake, RapidproFakeOptions } from '../../fakes/rapidpro-fake'
import { startRecordingServer } from '../helpers/recording-server'

const TOKEN = 'rp-test-token'

/** One request as it went over the wire (loopback) or into the fake (in-process). */
interface Wire {
  method: string
  path: string
  /** Raw query string, without `?`. */
  rawQuery: string
  query: URLSearchParams
  authorization: string | null
  body: unknown
}

interface Setup {
  fake: RapidproFake
  client: RapidproClient
  wire(): Wire[]
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

/** The same cases run against the fake called in-process and served on a real loopback socket. */
const transports: [string, (options?: RapidproFakeOptions) => Promise<Setup>][] = [
  [
    'in-process',
    async (options) => {
      const fake = createRapidproFake({ token: TOKEN, ...options })
      // Each its own workspace budgets: a 429 in one case pauses the workspace (throttle.ts).
      const client = new RapidproClient({
        baseUrl: 'https://rapidpro.example.org',
        token: TOKEN,
        fetch: fake.fetch,
        throttle: new RapidproThrottle(),
      })
      const wire = () =>
        fake.requests.map((r) => ({
          method: r.method,
          path: r.path,
          rawQuery: r.search.replace(/^\?/, ''),
          query: new URLSearchParams(r.search),
          authorization: r.authorization,
          body: r.body,
        }))
      return { fake, client, wire }
    },
  ],
  [
    'loopback',
    async (options) => {
      const fake = createRapidproFake({ token: TOKEN, ...options })
      const server = await startRecordingServer(fake.fetch)
      cleanups.push(() => server.close())
      // A trailing /api/v2 in the base URL is tolerated.
      const client = new RapidproClient({
        baseUrl: `${server.url}/api/v2/`,
        token: TOKEN,
        throttle: new RapidproThrottle(),
      })
      const wire = () =>
        server.requests.map((r) => ({
          method: r.method,
          path: r.path,
          rawQuery: new URL(r.url).search.replace(/^\?/, ''),
          query: r.query,
          authorization: r.headers.authorization ?? null,
          body: r.json ?? (r.body === '' ? undefined : r.body),
        }))
      return { fake, client, wire }
    },
  ],
]

describe.each(transports)('RapidPro client against the fake (%s)', (_name, setup) => {
  it('upserts by ?urn=: 201 on create, 200 on update, Token auth, no urns in the body', async () => {
    const { client, wire, fake } = await setup()
    const first = await client.upsertContact('mailto:ana@example.com', { name: 'Ana', fields: { consent: 'true' } })
    expect(first.created).toBe(true)
    expect(first.contact.urns).toEqual(['mailto:ana@example.com'])
    expect(first.contact.fields).toEqual({ consent: 'true' })
    const second = await client.upsertContact('mailto:ana@example.com', { name: 'Ana Lovelace' })
    expect(second.created).toBe(false)
    expect(second.contact.uuid).toBe(first.contact.uuid)
    expect(fake.contacts).toHaveLength(1)
    const [call] = wire()
    expect(call).toMatchObject({ method: 'POST', path: '/api/v2/contacts.json', authorization: `Token ${TOKEN}` })
    expect(call?.rawQuery).toBe('urn=mailto%3Aana%40example.com')
    expect(call?.query.get('urn')).toBe('mailto:ana@example.com')
    expect(call?.body).toEqual({ name: 'Ana', fields: { consent: 'true' } })
    expect(wire().every((w) => !JSON.stringify(w.body ?? {}).includes('"urns"'))).toBe(true)
  })

  it('encodes + in a tel URN so RapidPro does not read it as a space', async () => {
    const { client, wire } = await setup()
    await client.upsertContact('tel:+385911234567', {})
    expect(wire()[0]?.rawQuery).toBe('urn=tel%3A%2B385911234567')
  })

  it('refuses to send urns next to ?urn= without calling RapidPro', async () => {
    const { client, wire } = await setup()
    const body = { urns: ['tel:+385911234567'] } as unknown as Parameters<RapidproClient['upsertContact']>[1]
    await expect(client.upsertContact('mailto:ana@example.com', body)).rejects.toThrow(TypeError)
    expect(wire()).toEqual([])
  })

  it('parses DRF error bodies: an invalid new URN, an unknown group, an unknown field', async () => {
    const { client } = await setup()
    const invalid = await client.upsertContact('tel:0911234567', {}).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(RapidproHttpError)
    expect((invalid as RapidproHttpError).status).toBe(400)
    expect((invalid as RapidproHttpError).issues).toEqual([
      { field: null, message: 'Invalid URN: tel:0911234567. Ensure phone numbers contain country codes.' },
    ])
    expect((invalid as RapidproHttpError).transient).toBe(false)
    const group = (await client
      .upsertContact('mailto:b@example.com', { groups: ['Nope'] })
      .catch((e: unknown) => e)) as RapidproHttpError
    expect(group.issues).toEqual([{ field: 'groups', message: 'No such object: Nope' }])
    const field = (await client
      .upsertContact('mailto:b@example.com', { fields: { shoe_size: '42' } })
      .catch((e: unknown) => e)) as RapidproHttpError
    expect(field.upstreamMessage).toBe('fields: Invalid contact field key: shoe_size')
  })

  it('updates by UUID with urns, reads a contact back, adds it to a group without dropping others', async () => {
    const { client, wire, fake } = await setup()
    const { contact } = await client.upsertContact('mailto:cy@example.com', {})
    await client.addToGroup([contact.uuid], 'VIP')
    await client.addToGroup([contact.uuid], RAPIDPRO_SANDBOX_SEED.newsletterGroupUuid)
    const updated = await client.updateContact(contact.uuid, { urns: ['mailto:cy@example.com', 'tel:+385911234567'] })
    expect(updated.urns).toEqual(['mailto:cy@example.com', 'tel:+385911234567'])
    const read = await client.getContact({ urn: 'tel:+385911234567' })
    expect(read?.groups.map((g) => g.name).sort()).toEqual(['Newsletter', 'VIP'])
    expect(await client.getContact({ uuid: '00000000-0000-4000-8000-000000000000' })).toBeNull()
    const action = wire().find((w) => w.path === '/api/v2/contact_actions.json')
    expect(action?.body).toEqual({ contacts: [contact.uuid], action: 'add', group: 'VIP' })
    expect(fake.contact('mailto:cy@example.com')?.groups).toHaveLength(2)
  })

  it('deletes by ?urn=: deleted, then not_found', async () => {
    const { client, wire } = await setup()
    await client.upsertContact('mailto:dee@example.com', {})
    expect(await client.deleteContact('mailto:dee@example.com')).toBe('deleted')
    expect(await client.deleteContact('mailto:dee@example.com')).toBe('not_found')
    const deletes = wire().filter((w) => w.method === 'DELETE')
    expect(deletes.map((d) => d.rawQuery)).toEqual(['urn=mailto%3Adee%40example.com', 'urn=mailto%3Adee%40example.com'])
  })

  it('follows cursor pagination of fields and groups', async () => {
    const { client, wire } = await setup({
      pageSize: 1,
      fields: [{ name: 'Consent' }, { name: 'City' }, { name: 'Birth date', type: 'datetime' }],
    })
    const fields = await client.listFields()
    expect(fields).toEqual([
      { key: 'consent', name: 'Consent', type: 'text' },
      { key: 'city', name: 'City', type: 'text' },
      { key: 'birth_date', name: 'Birth date', type: 'datetime' },
    ])
    expect((await client.listGroups()).map((g) => g.name)).toEqual(['Newsletter', 'VIP'])
    const gets = wire().filter((w) => w.path === '/api/v2/fields.json')
    expect(gets).toHaveLength(3)
    expect(gets[0]?.query.has('cursor')).toBe(false)
    expect(gets[1]?.query.has('cursor')).toBe(true)
  })

  it('creates fields with name and type (RapidPro generates the key) and groups', async () => {
    const { client, wire } = await setup()
    expect(await client.createField('Birth date', 'datetime')).toEqual({
      key: 'birth_date',
      name: 'Birth date',
      type: 'datetime',
    })
    expect(wire().at(-1)?.body).toEqual({ name: 'Birth date', type: 'datetime' })
    const group = await client.createGroup('Spring sale')
    expect(group).toMatchObject({ name: 'Spring sale', query: null })
    const duplicate = (await client.createGroup('spring SALE').catch((e: unknown) => e)) as RapidproHttpError
    expect(duplicate.issues).toEqual([{ field: 'name', message: 'This field must be unique.' }])
  })

  it('answers 429 with retryAfterSeconds from Retry-After, and never retries a POST itself', async () => {
    const { client, wire } = await setup({ rateLimit: { requests: 1, windowSeconds: 30 } })
    await client.upsertContact('mailto:eve@example.com', {})
    const error = (await client
      .upsertContact('mailto:eve@example.com', { name: 'Eve' })
      .catch((e: unknown) => e)) as RapidproHttpError
    expect(error).toBeInstanceOf(RapidproHttpError)
    expect(error.status).toBe(429)
    expect(error.transient).toBe(true)
    expect(error.retryAfterSeconds).toBe(30)
    expect(error.upstreamMessage).toBe('Request was throttled. Expected available in 30 seconds.')
    expect(wire()).toHaveLength(2)
  })

  it('does not retry a POST that met a 5xx', async () => {
    const { client, fake, wire } = await setup()
    fake.failNext({ method: 'POST', path: '/api/v2/contacts.json' }, { status: 502, body: 'Bad Gateway' })
    const error = (await client
      .upsertContact('mailto:fay@example.com', {})
      .catch((e: unknown) => e)) as RapidproHttpError
    expect(error.status).toBe(502)
    expect(error.transient).toBe(true)
    expect(wire()).toHaveLength(1)
  })

  it('reports a refused token (403 "Invalid token") as RapidPro answers it, marked INVALID_TOKEN', async () => {
    const { fake } = await setup()
    const wrong = new RapidproClient({ baseUrl: 'https://rapidpro.example.org', token: 'wrong', fetch: fake.fetch })
    const error = (await wrong.listGroups().catch((e: unknown) => e)) as RapidproHttpError
    expect(error.status).toBe(403)
    expect(error.upstreamCode).toBe('INVALID_TOKEN')
    expect(error.issues).toEqual([{ field: null, message: 'Invalid token' }])
  })
})

describe('RapidPro client transport failures', () => {
  it('turns a refused connection into RapidproNetworkError', async () => {
    const server = await startRecordingServer()
    const url = server.url
    await server.close()
    const client = new RapidproClient({ baseUrl: url, token: TOKEN })
    const error = await client.listGroups().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RapidproNetworkError)
    expect((error as RapidproNetworkError).transient).toBe(true)
  })

  it('lets a local programming error through as itself, never as an outage to retry forever', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'headers')")
    const client = new RapidproClient({
      baseUrl: 'https://rp.example.org',
      token: TOKEN,
      fetch: () => Promise.reject(bug),
    })
    const error = await client.listGroups().catch((e: unknown) => e)
    expect(error).toBe(bug)
    expect(error).not.toBeInstanceOf(RapidproNetworkError)
  })

  it('turns a timeout into RapidproNetworkError', async () => {
    const fake = createRapidproFake()
    fake.failNext({ path: '/api/v2/contacts.json' }, { status: 201, body: {}, delayMs: 2_000 })
    const client = new RapidproClient({ baseUrl: 'https://rp.example.org', token: TOKEN, fetch: fake.fetch })
    const error = await client.upsertContact('mailto:a@example.com', {}, { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RapidproNetworkError)
  })

  it('falls back to the legacy label/value_type body on servers that ask for it', async () => {
    const bodies: unknown[] = []
    const server = await startRecordingServer(async (req) => {
      const body = (await req.json()) as Record<string, unknown>
      bodies.push(body)
      if (!('label' in body)) {
        return Response.json(
          { label: ['This field is required.'], value_type: ['This field is required.'] },
          { status: 400 },
        )
      }
      return Response.json({ key: 'shoe_size', label: body.label, value_type: body.value_type }, { status: 201 })
    })
    cleanups.push(() => server.close())
    const client = new RapidproClient({ baseUrl: server.url, token: TOKEN })
    expect(await client.createField('Shoe size', 'number')).toEqual({
      key: 'shoe_size',
      name: 'Shoe size',
      type: 'number',
    })
    expect(bodies).toEqual([
      { name: 'Shoe size', type: 'number' },
      { label: 'Shoe size', value_type: 'numeric' },
    ])
  })
})

describe('DRF error bodies', () => {
  it('flattens field, per-item, detail and non-field errors', () => {
    expect(
      parseDrfErrors({ urns: { '0': ['Invalid URN: 1234556789. Ensure phone numbers contain country codes.'] } }),
    ).toEqual([
      { field: 'urns', index: 0, message: 'Invalid URN: 1234556789. Ensure phone numbers contain country codes.' },
    ])
    expect(parseDrfErrors({ detail: 'URL must contain one of the following parameters: urn, uuid' })).toEqual([
      { field: null, message: 'URL must contain one of the following parameters: urn, uuid' },
    ])
    expect(
      parseDrfErrors({ non_field_errors: ['Request body should be a single JSON object'], name: ['x', 'y'] }),
    ).toEqual([
      { field: null, message: 'Request body should be a single JSON object' },
      { field: 'name', message: 'x' },
      { field: 'name', message: 'y' },
    ])
    expect(parseDrfErrors(undefined)).toEqual([])
  })
})
