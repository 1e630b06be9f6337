import { afterAll, describe, expect, it } from 'vitest'
import { createTestProxy, SHOP } from '../helpers/test-proxy'

const proxy = await createTestProxy()
afterAll(() => proxy.close())

const JSON_TYPE = { 'content-type': 'application/json' }

/** Requests a browser, a bot or a broken integration might send. None of them may get a 5xx. */
const CASES: [string, string, RequestInit & { origin?: string | null }][] = [
  ['percent junk in the id', '/v1/forms/%ZZ', {}],
  [
    'percent junk in a submission path',
    '/v1/forms/%E0%A4%A/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{}' },
  ],
  ['an id that is too long', `/v1/forms/${'a'.repeat(500)}`, {}],
  ['null body', '/v1/forms/welcome/submissions', { method: 'POST', headers: JSON_TYPE, body: 'null' }],
  ['array body', '/v1/forms/welcome/submissions', { method: 'POST', headers: JSON_TYPE, body: '[]' }],
  ['string body', '/v1/forms/welcome/submissions', { method: 'POST', headers: JSON_TYPE, body: '"hi"' }],
  ['empty body', '/v1/forms/welcome/submissions', { method: 'POST', headers: JSON_TYPE, body: '' }],
  [
    'values is an array',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":[1,2]}' },
  ],
  [
    'a number value',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":{"email":42}}' },
  ],
  [
    'a boolean for email',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":{"email":true}}' },
  ],
  [
    'a list for a checkbox',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":{"consent":["x"]}}' },
  ],
  [
    '__proto__ keys',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":{"__proto__":{"x":1},"constructor":"y"}}' },
  ],
  [
    'many keys',
    '/v1/forms/welcome/submissions',
    {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ values: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'])) }),
    },
  ],
  [
    'unknown context keys',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: JSON_TYPE, body: '{"values":{},"context":{"x":1}}' },
  ],
  [
    'origin "null" (sandboxed iframe)',
    '/v1/forms/welcome/submissions',
    { method: 'POST', origin: 'null', headers: JSON_TYPE, body: '{"values":{}}' },
  ],
  [
    'a garbage origin',
    '/v1/forms/welcome/submissions',
    { method: 'POST', origin: '::::', headers: JSON_TYPE, body: '{"values":{}}' },
  ],
  [
    'json with a charset and odd case',
    '/v1/forms/welcome/submissions',
    {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
      body: '{"values":{"email":"x"}}',
    },
  ],
  [
    'form-encoded body',
    '/v1/forms/welcome/submissions',
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.co' },
  ],
  ['no content type', '/v1/forms/welcome/submissions', { method: 'POST', body: '{"values":{}}' }],
  ['PUT on submissions', '/v1/forms/welcome/submissions', { method: 'PUT', headers: JSON_TYPE, body: '{}' }],
  ['DELETE on a form', '/v1/forms/welcome', { method: 'DELETE' }],
  ['hook without a secret', '/v1/hooks/moments-report', { method: 'POST', headers: JSON_TYPE, body: '{}' }],
  [
    'unicode in values',
    '/v1/forms/welcome/submissions',
    {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ values: { email: 'ü@ü.ü', firstName: '\u0000\ud800', consent: true } }),
    },
  ],
]

describe('malformed requests', () => {
  for (const [name, path, init] of CASES) {
    it(`answers ${name} with a 4xx JSON error and no upstream call`, async () => {
      const before = proxy.fake?.requestCount ?? 0
      const rapidproBefore = proxy.rapidproFake?.requests.length ?? 0
      const res = await proxy.request(path, init)
      expect(res.status, `${name}: ${res.status}`).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      const body = (await res.json()) as { error?: { code?: string; message?: string } }
      expect(body.error?.code).toEqual(expect.any(String))
      expect(body.error?.message).toEqual(expect.any(String))
      expect(proxy.fake?.requestCount ?? 0).toBe(before)
      expect(proxy.rapidproFake?.requests.length ?? 0).toBe(rapidproBefore)
    })
  }

  it('has both sandbox fakes to watch (the demo form "welcome" also writes to RapidPro)', () => {
    expect(proxy.fake).not.toBeNull()
    expect(proxy.rapidproFake).not.toBeNull()
  })

  it('ignores whatever body a view carries', async () => {
    const res = await proxy.request('/v1/forms/welcome/views', {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"junk":true',
    })
    expect(res.status).toBe(204)
  })

  it('names prototype keys as unknown fields', async () => {
    const res = await proxy.request('/v1/forms/welcome/submissions', {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"values":{"constructor":"y","toString":"z","email":"a@example.com","consent":true}}',
    })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { error: { fields: Record<string, string[]> } }
    expect(body.error.fields).toEqual({
      constructor: ['This field is not part of the form.'],
      toString: ['This field is not part of the form.'],
    })
  })

  it('still serves a valid signup from the shop after all of that', async () => {
    const res = await proxy.submit('welcome', { email: 'ok@example.com', consent: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP)
    // The RapidPro fake does see a real signup: its silence above meant something.
    expect(proxy.rapidproFake?.requests.some((r) => r.path === '/api/v2/contacts.json')).toBe(true)
  })
})
