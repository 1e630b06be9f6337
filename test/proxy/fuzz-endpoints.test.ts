import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEGACY_CAMPAIGN } from '../helpers/fixture-config'
import { createTestProxy, SHOP, type TestProxy, testToken } from '../helpers/test-proxy'

/**
 * Property-based fuzz of every public endpoint (issue 8): whatever arrives, the answer is never a
 * 5xx, a request that is refused never reaches an upstream, and an accepted signup is stored.
 * Runs are bounded (seeded, a few hundred requests in-process) so the suite stays fast and
 * repeatable; a failure prints the seed and the shrunk request that broke it.
 */
const CONFIG = {
  forms: [
    {
      id: 'fuzz',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true, label: 'Email' },
        { name: 'firstName', type: 'text', label: 'First name', pattern: '([A-Za-z]+ ?)+' },
        { name: 'phone', type: 'tel', label: 'Phone' },
        { name: 'cups', type: 'number', label: 'Cups', min: 0, max: 20 },
        { name: 'size', type: 'select', label: 'Size', options: ['S', 'M', 'L'] },
        { name: 'consent', type: 'checkbox', required: true, label: 'I agree' },
      ],
      // Legacy: one call per signup, in the request, so every upstream call is seen as it happens.
      flow: { api: 'legacy', campaignId: LEGACY_CAMPAIGN },
    },
  ],
}

const PATHS = [
  '/healthz',
  '/flowform.js',
  '/v1/forms/fuzz',
  '/v1/forms/fuzz/views',
  '/v1/forms/fuzz/submissions',
  '/v1/forms/fuzz/challenge',
  '/v1/forms/nope/submissions',
  '/v1/forms/../../etc/passwd',
  '/v1/forms/FUZZ/submissions',
  '/v1/hooks/moments-report',
]

const anyValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
  fc.constantFrom('__proto__', 'constructor', 'a@b', 'ana@example..com', '+41 79 302 67 27', '\u0000', '\u202e'),
)

const anyValues = fc.dictionary(
  fc.oneof(fc.constantFrom('email', 'firstName', 'phone', 'cups', 'size', 'consent', '__proto__'), fc.string()),
  anyValue,
  { maxKeys: 8 },
)

/** Mostly valid signups with one noisy field: some pass, some are refused for that field. */
const nearlyValid = fc.record({
  email: fc.constantFrom('ana@example.com', 'bo@example.org', 'ANA@EXAMPLE.COM', 'ana@example..com'),
  consent: fc.constantFrom<unknown>(true, 'true', false, 'yes'),
  firstName: fc.oneof(fc.constantFrom('Ana', 'Bo Li'), fc.string({ maxLength: 40 })),
  cups: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.constant('3')),
})

let proxy: TestProxy

beforeAll(async () => {
  proxy = await createTestProxy({ config: CONFIG })
})

afterAll(async () => {
  await proxy.close()
})

const upstreamCalls = () => proxy.fake?.requests.length ?? 0

describe('fuzzing every public endpoint', () => {
  it('never answers 5xx to any method, path, header or body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
        fc.oneof(fc.constantFrom(...PATHS), fc.webPath()),
        fc.constantFrom<string | null>(SHOP, 'https://evil.example', 'null', null),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data', ''),
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.json(),
          anyValues.map((values) => JSON.stringify({ values })),
        ),
        async (method, path, origin, contentType, body) => {
          const hasBody = !['GET', 'HEAD'].includes(method)
          const res = await proxy.request(path, {
            method,
            origin,
            headers: contentType ? { 'content-type': contentType } : {},
            ...(hasBody ? { body } : {}),
          })
          expect(res.status, `${method} ${path}`).toBeLessThan(500)
        },
      ),
      { numRuns: 250, seed: 20261203 },
    )
  })

  it('calls no upstream for a submission that is refused, and stores every one that is accepted', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValues, nearlyValid),
        fc.option(fc.string({ maxLength: 40 })),
        async (values, context) => {
          const before = upstreamCalls()
          const stored = proxy.outbox.count()
          const res = await proxy.request('/v1/forms/fuzz/submissions', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              values,
              token: testToken('fuzz'),
              ...(context ? { context: { page: context } } : {}),
            }),
          })
          expect(res.status).toBeLessThan(500)
          if (res.status >= 400) {
            expect(upstreamCalls(), `refused ${res.status}, yet upstream called`).toBe(before)
            expect(proxy.outbox.count()).toBe(stored)
          } else {
            accepted++
            expect(proxy.outbox.count()).toBeGreaterThan(stored)
          }
        },
      ),
      { numRuns: 250, seed: 20261204 },
    )
    // Both branches were taken: refusals and acceptances.
    expect(accepted).toBeGreaterThan(0)
    expect(accepted).toBeLessThan(250)
  })

  it('accepts and delivers a valid signup among the noise (the property is not vacuous)', async () => {
    const before = upstreamCalls()
    const res = await proxy.submit('fuzz', { email: 'fuzz-ok@example.com', consent: true })
    expect(res.status).toBeLessThan(300)
    expect(upstreamCalls()).toBeGreaterThan(before)
  })
})
