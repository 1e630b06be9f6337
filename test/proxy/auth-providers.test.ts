// IBSSO sessions and OAuth 2 tokens against the sandbox fake configured with fixed credentials,
// in-process: caching, renewal by the clock, renewal after a 401, shared in-flight requests.
import { describe, expect, it } from 'vitest'
import { createInfobipFake } from '../../fakes/infobip-fake'
import type { InfobipFake } from '../../fakes/infobip-fake'
import { createAuthProvider, describeAuth, staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { InfobipHttpError } from '../../proxy/upstreams/infobip/errors'
import { IBSSO_RENEW_AFTER_MS } from '../../proxy/upstreams/infobip/token-auth'
import type { InfobipAuth } from '../../proxy/config/env'

const BASE = 'https://xyz123.api.infobip.com'
const CREDENTIALS = { username: 'shop', password: 'pw-s3cret', clientId: 'client-1', clientSecret: 'client-s3cret' }
const IBSSO: InfobipAuth = { kind: 'ibsso', username: 'shop', password: 'pw-s3cret' }
const OAUTH: InfobipAuth = { kind: 'oauth', clientId: 'client-1', clientSecret: 'client-s3cret' }
const MINUTE = 60_000

function clock(start = Date.parse('2025-03-01T10:00:00Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

function setup(auth: InfobipAuth) {
  const time = clock()
  const fake = createInfobipFake({ credentials: CREDENTIALS, now: time.now })
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => fake.fetch(new Request(input, init))
  const client = new InfobipClient({
    baseUrl: BASE,
    auth: createAuthProvider(auth, { baseUrl: BASE, fetch, now: time.now }),
    fetch,
  })
  return { fake, client, time }
}

const calls = (fake: InfobipFake) => fake.requests.map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`)

describe('IBSSO sessions', () => {
  it('creates one session for many requests, even concurrent ones', async () => {
    const { fake, client } = setup(IBSSO)
    await Promise.all([client.listForms(), client.listForms(), client.listForms({ limit: 1 })])
    await client.listForms()
    expect(calls(fake).filter((c) => c.startsWith('POST /auth/1/session'))).toEqual(['POST /auth/1/session 200'])
    expect(calls(fake).filter((c) => c.startsWith('GET '))).toHaveLength(4)
    expect(calls(fake).every((c) => c.endsWith(' 200'))).toBe(true)
  })

  it('renews the session before the hour, ending the old one first', async () => {
    const { fake, client, time } = setup(IBSSO)
    await client.listForms()
    time.advance(IBSSO_RENEW_AFTER_MS - 1)
    await client.listForms()
    expect(calls(fake)).toEqual(['POST /auth/1/session 200', 'GET /forms/1/forms 200', 'GET /forms/1/forms 200'])
    time.advance(1)
    await client.listForms()
    expect(calls(fake).slice(3)).toEqual([
      'DELETE /auth/1/session 200',
      'POST /auth/1/session 200',
      'GET /forms/1/forms 200',
    ])
  })

  it('renews after a 401 and retries the refused call once', async () => {
    const { fake, client } = setup(IBSSO)
    await client.listForms()
    fake.failNext(
      { method: 'GET', path: '/forms/1/forms' },
      {
        status: 401,
        body: { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'Invalid login details' } } },
      },
    )
    const answer = await client.listForms()
    expect(answer.forms.length).toBeGreaterThan(0)
    expect(calls(fake).slice(1)).toEqual([
      'GET /forms/1/forms 200',
      'GET /forms/1/forms 401',
      'DELETE /auth/1/session 200',
      'POST /auth/1/session 200',
      'GET /forms/1/forms 200',
    ])
  })

  it('gives up after a second 401 and keeps the old session out of the next call', async () => {
    const { fake, client } = setup(IBSSO)
    const unauthorized = {
      status: 401,
      body: { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'no' } } },
    }
    fake.failNext({ method: 'GET', path: '/forms/1/forms' }, unauthorized, 2)
    await expect(client.listForms()).rejects.toMatchObject({ name: 'InfobipHttpError', status: 401 })
    expect(calls(fake).filter((c) => c.startsWith('GET'))).toEqual(['GET /forms/1/forms 401', 'GET /forms/1/forms 401'])
    await client.listForms()
    expect(calls(fake).filter((c) => c.startsWith('POST /auth'))).toHaveLength(3)
  })

  it('answers a refused password with an InfobipHttpError that does not carry the password', async () => {
    const time = clock()
    const fake = createInfobipFake({ credentials: CREDENTIALS, now: time.now })
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => fake.fetch(new Request(input, init))
    const auth = createAuthProvider({ kind: 'ibsso', username: 'shop', password: 'wrong-pw' }, { baseUrl: BASE, fetch })
    const client = new InfobipClient({ baseUrl: BASE, auth, fetch })
    const error = (await client.listForms().catch((e: unknown) => e)) as InfobipHttpError
    expect(error).toBeInstanceOf(InfobipHttpError)
    expect(error).toMatchObject({
      status: 401,
      path: '/auth/1/session',
      upstreamCode: 'UNAUTHORIZED',
      transient: false,
    })
    expect(JSON.stringify({ message: error.message, upstream: error.upstreamMessage })).not.toContain('wrong-pw')
    expect(calls(fake)).toEqual(['POST /auth/1/session 401'])
  })

  it('shares a failed session request between concurrent callers and tries again on the next call', async () => {
    const { fake, client } = setup(IBSSO)
    fake.failNext({ method: 'POST', path: '/auth/1/session' }, { status: 500, delayMs: 20 })
    const results = await Promise.allSettled([client.listForms(), client.listForms()])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(calls(fake)).toEqual(['POST /auth/1/session 500'])
    await client.listForms()
    expect(calls(fake).slice(1)).toEqual(['POST /auth/1/session 200', 'GET /forms/1/forms 200'])
  })
})

describe('OAuth 2 client credentials', () => {
  it('fetches one token for many requests and renews it shortly before expires_in', async () => {
    const { fake, client, time } = setup(OAUTH)
    await Promise.all([client.listForms(), client.listForms()])
    await client.listForms()
    expect(calls(fake).filter((c) => c.includes('/auth/'))).toEqual(['POST /auth/1/oauth2/token 200'])
    // The fake's tokens live 3600 s; the provider renews one minute early.
    time.advance(59 * MINUTE - 1)
    await client.listForms()
    expect(calls(fake).filter((c) => c.includes('/auth/'))).toHaveLength(1)
    time.advance(1)
    await client.listForms()
    expect(calls(fake).slice(-2)).toEqual(['POST /auth/1/oauth2/token 200', 'GET /forms/1/forms 200'])
  })

  it('fetches a new token after a 401 and retries the call once', async () => {
    const { fake, client } = setup(OAUTH)
    await client.listForms()
    fake.failNext(
      { method: 'GET', path: '/forms/1/forms' },
      {
        status: 401,
        body: { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'Unauthorized' } } },
      },
    )
    await client.listForms()
    expect(calls(fake)).toEqual([
      'POST /auth/1/oauth2/token 200',
      'GET /forms/1/forms 200',
      'GET /forms/1/forms 401',
      'POST /auth/1/oauth2/token 200',
      'GET /forms/1/forms 200',
    ])
  })

  it('reports refused client credentials by the OAuth error code, without the secret', async () => {
    const fake = createInfobipFake({ credentials: CREDENTIALS })
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => fake.fetch(new Request(input, init))
    const auth = createAuthProvider(
      { kind: 'oauth', clientId: 'client-1', clientSecret: 'nope-s3cret' },
      { baseUrl: BASE, fetch },
    )
    const error = (await new InfobipClient({ baseUrl: BASE, auth, fetch })
      .listForms()
      .catch((e: unknown) => e)) as InfobipHttpError
    expect(error).toMatchObject({ status: 401, upstreamCode: 'invalid_client', path: '/auth/1/oauth2/token' })
    expect(`${error.message} ${error.upstreamMessage ?? ''}`).not.toContain('nope-s3cret')
  })
})

describe('static schemes', () => {
  it('never retry a 401 and fetch nothing', async () => {
    const fake = createInfobipFake({ credentials: { apiKey: 'right-key' } })
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => fake.fetch(new Request(input, init))
    const client = new InfobipClient({ baseUrl: BASE, auth: staticAuth({ kind: 'app', apiKey: 'wrong-key' }), fetch })
    await expect(client.listForms()).rejects.toMatchObject({ status: 401 })
    expect(calls(fake)).toEqual(['GET /forms/1/forms 401'])
  })

  it('are described without secrets', () => {
    expect(describeAuth({ kind: 'app', apiKey: 'k-s3cret' })).toBe('API key')
    expect(describeAuth(IBSSO)).not.toContain('s3cret')
    expect(describeAuth(OAUTH)).toBe('OAuth 2 client credentials')
  })
})
