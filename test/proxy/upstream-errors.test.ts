import { createServer } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { createRapidproFake } from '../../fakes/rapidpro-fake'
import { createAuthProvider, staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { outcomeFromError } from '../../proxy/delivery/from-error'
import { describeUpstreamError, isUpstreamCallError, UpstreamCallError } from '../../proxy/upstreams/errors'
import { LimiterBusyError } from '../../proxy/upstreams/infobip/account-limiter'
import { InfobipHttpError, InfobipNetworkError } from '../../proxy/upstreams/infobip/errors'
import { RapidproClient } from '../../proxy/upstreams/rapidpro/client'
import { BatchSplitError } from '../../proxy/upstreams/infobip/moments-send'
import { RapidproHttpError, RapidproNetworkError, RapidproResponseError } from '../../proxy/upstreams/rapidpro/errors'

describe('Infobip network failures name their cause', () => {
  it('says the connection was refused when nothing listens', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    const client = new InfobipClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: staticAuth({ kind: 'app', apiKey: 'k' }),
      timeoutMs: 2_000,
    })
    const error = await client.getForm('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InfobipNetworkError)
    expect((error as Error).message).toMatch(
      /^Infobip could not be reached \(connection refused \(ECONNREFUSED\)\): GET \/forms\/1\/forms\/x$/,
    )
  })

  it('says it timed out when Infobip does not answer in time', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))
    const client = new InfobipClient({
      baseUrl: 'https://infobip.invalid',
      auth: staticAuth({ kind: 'app', apiKey: 'k' }),
      fetch: hang,
      timeoutMs: 50,
    })
    const error = await client.getForm('x').catch((e: unknown) => e)
    expect((error as Error).message).toContain('(timed out)')
  })
})

describe('one error base for every upstream', () => {
  const cases: [string, UpstreamCallError, { upstream: string; transient: boolean; retryAfterSeconds?: number }][] = [
    [
      'Infobip 429',
      new InfobipHttpError('POST', '/p', 429, undefined, undefined, 7),
      { upstream: 'infobip', transient: true, retryAfterSeconds: 7 },
    ],
    [
      'Infobip 400',
      new InfobipHttpError('POST', '/p', 400, '40001', 'bad', undefined),
      { upstream: 'infobip', transient: false },
    ],
    [
      'Infobip network',
      new InfobipNetworkError('GET', '/p', { cause: new Error('x') }),
      { upstream: 'infobip', transient: true },
    ],
    ['account limiter', new LimiterBusyError(2_500), { upstream: 'infobip', transient: true, retryAfterSeconds: 3 }],
    ['batch split', new BatchSplitError(new Error('400')), { upstream: 'infobip', transient: true }],
    [
      'RapidPro 503',
      new RapidproHttpError('POST', '/p', 503, undefined, 30),
      { upstream: 'rapidpro', transient: true, retryAfterSeconds: 30 },
    ],
    [
      'RapidPro 400',
      new RapidproHttpError('POST', '/p', 400, { name: ['bad'] }, undefined),
      { upstream: 'rapidpro', transient: false },
    ],
    [
      'RapidPro network',
      new RapidproNetworkError('GET', '/p', { cause: new Error('x') }),
      { upstream: 'rapidpro', transient: true },
    ],
    [
      'RapidPro unexpected body',
      new RapidproResponseError('GET', '/p', 200, 'no results'),
      { upstream: 'rapidpro', transient: false },
    ],
  ]

  it.each(cases)('%s carries upstream, transient and retryAfterSeconds', (_name, error, expected) => {
    expect(isUpstreamCallError(error)).toBe(true)
    expect(error).toBeInstanceOf(UpstreamCallError)
    expect(error).toMatchObject({ retryAfterSeconds: undefined, ...expected })
  })

  it('tells upstream errors from anything else', () => {
    expect(isUpstreamCallError(new Error('bug'))).toBe(false)
    expect(isUpstreamCallError({ transient: true })).toBe(false)
  })

  it('keeps the names and messages the logs already show', () => {
    expect(new InfobipHttpError('GET', '/forms/1/forms/x', 404, '40401', 'nope', undefined)).toMatchObject({
      name: 'InfobipHttpError',
      message: 'Infobip answered 404 (40401): GET /forms/1/forms/x',
    })
    expect(
      new RapidproHttpError('POST', '/api/v2/contacts.json', 400, { urns: { '0': ['Invalid URN'] } }, undefined),
    ).toMatchObject({
      name: 'RapidproHttpError',
      message: 'RapidPro answered 400: POST /api/v2/contacts.json',
      upstreamMessage: 'urns[0]: Invalid URN',
    })
    expect(new RapidproResponseError('GET', '/api/v2/groups.json', 200, 'no results')).toMatchObject({
      name: 'RapidproResponseError',
      message: 'RapidPro answered 200 with an unexpected body: GET /api/v2/groups.json: no results',
      upstreamCode: 'UNEXPECTED_BODY',
    })
  })
})

describe('describeUpstreamError', () => {
  it('gives status, code, text and the call in one line', () => {
    const error = new InfobipHttpError('GET', '/forms/1/forms', 401, 'UNAUTHORIZED', 'Invalid login details', undefined)
    expect(describeUpstreamError(error)).toBe(
      'Infobip answered 401 UNAUTHORIZED: Invalid login details (GET /forms/1/forms)',
    )
    const rapidpro = new RapidproHttpError('POST', '/api/v2/fields.json', 400, { name: ['bad'] }, undefined)
    expect(describeUpstreamError(rapidpro)).toBe('RapidPro answered 400: name: bad (POST /api/v2/fields.json)')
  })

  it('leaves out a code that only repeats the status', () => {
    const error = new InfobipHttpError('GET', '/p', 403, '403', 'Forbidden', undefined)
    expect(describeUpstreamError(error)).toBe('Infobip answered 403: Forbidden (GET /p)')
  })

  it('names the network cause once, and the cause of any other error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const network = new RapidproNetworkError('GET', '/api/v2/groups.json', {
      cause: new TypeError('fetch failed', { cause: refused }),
    })
    expect(describeUpstreamError(network)).toBe(
      'RapidPro could not be reached (connection refused (ECONNREFUSED)): GET /api/v2/groups.json',
    )
    expect(describeUpstreamError(new Error('outer', { cause: new Error('inner') }))).toBe('outer: inner')
    expect(describeUpstreamError('text')).toBe('text')
  })
})

describe('outcomeFromError reads transient and retryAfterSeconds', () => {
  it('retries a transient error after the wait the upstream asked for', () => {
    expect(
      outcomeFromError('infobip-moments', new InfobipHttpError('POST', '/p', 503, undefined, undefined, 12)),
    ).toEqual({
      kind: 'retry',
      reason: 'Infobip answered 503: POST /p',
      retryAfterSeconds: 12,
      unavailable: true,
    })
    // Refused for another participant's value: retried, but Infobip is up (its breaker must not count it).
    const split = outcomeFromError('infobip-moments', new BatchSplitError(new Error('400')))
    expect(split).toMatchObject({ kind: 'retry' })
    expect(split).not.toHaveProperty('unavailable')
  })

  it('uses up no attempt for a call our own limiter held back', () => {
    expect(outcomeFromError('infobip-flow', new LimiterBusyError(1_200))).toMatchObject({
      kind: 'retry',
      retryAfterSeconds: 2,
      free: true,
    })
    expect(outcomeFromError('infobip-flow', new LimiterBusyError(1_200))).not.toHaveProperty('unavailable')
    expect(
      outcomeFromError('infobip-flow', new InfobipNetworkError('GET', '/p', { cause: new Error('x') })),
    ).not.toHaveProperty('free')
  })

  it('fails a refusal for the operator, with the upstream code and text', () => {
    expect(
      outcomeFromError('infobip-flow', new InfobipHttpError('POST', '/p', 400, '40001', 'malformed', undefined)),
    ).toEqual({
      kind: 'failed',
      upstream: 'infobip-flow',
      status: 400,
      upstreamCode: '40001',
      reason: 'malformed',
    })
  })

  it('does not retry an unexpected body: asking again gets the same answer', () => {
    expect(outcomeFromError('rapidpro', new RapidproResponseError('POST', '/p', 201, 'uuid missing'))).toEqual({
      kind: 'failed',
      upstream: 'rapidpro',
      status: 201,
      upstreamCode: 'UNEXPECTED_BODY',
      reason: 'uuid missing',
    })
  })

  it('retries what is not an upstream answer at all (a bug), keeping the data', () => {
    expect(outcomeFromError('rapidpro', new TypeError('boom'))).toEqual({ kind: 'retry', reason: 'boom' })
  })
})

describe('every client reads Retry-After the same way', () => {
  const NOW = Date.parse('2026-10-21T07:28:00Z')
  const IN_90_SECONDS = 'Wed, 21 Oct 2026 07:29:30 GMT'
  afterEach(() => {
    vi.useRealTimers()
  })

  it('Infobip calls carry an HTTP-date Retry-After as seconds', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    const fake = createInfobipFake()
    fake.failNext({ path: /\/forms\/1\/forms/ }, { status: 503, headers: { 'retry-after': IN_90_SECONDS } })
    const client = new InfobipClient({
      baseUrl: 'https://x.api.infobip.com',
      auth: staticAuth({ kind: 'app', apiKey: 'k' }),
      fetch: fake.fetch,
    })
    const error = await client.listForms().catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 503, transient: true, retryAfterSeconds: 90 })
  })

  it('Infobip token requests do too', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    const fake = createInfobipFake()
    fake.failNext({ path: '/auth/1/oauth2/token' }, { status: 429, headers: { 'retry-after': IN_90_SECONDS } })
    const auth = createAuthProvider(
      { kind: 'oauth', clientId: 'c', clientSecret: 's' },
      { baseUrl: 'https://x.api.infobip.com', fetch: fake.fetch },
    )
    await expect(auth.header()).rejects.toMatchObject({ status: 429, transient: true, retryAfterSeconds: 90 })
  })

  it('RapidPro calls do too', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    const fake = createRapidproFake({ token: 't' })
    fake.failNext({ path: '/api/v2/groups.json' }, { status: 503, headers: { 'retry-after': IN_90_SECONDS } })
    const client = new RapidproClient({ baseUrl: 'https://rp.example.org', token: 't', fetch: fake.fetch })
    await expect(client.listGroups()).rejects.toMatchObject({ status: 503, transient: true, retryAfterSeconds: 90 })
  })
})
