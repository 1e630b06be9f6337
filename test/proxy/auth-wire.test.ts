// What the auth schemes put on the wire: a real loopback server records every request. Behind it
// either the sandbox fake with fixed credentials, or a scripted handler for edge cases.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { createAuthProvider } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import type { InfobipAuth } from '../../proxy/config/env'
import { type RecordingHandler, type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { createTestProxy, type TestProxy } from '../helpers/test-proxy'

const CREDENTIALS = { username: 'shop', password: 'pw-s3cret', clientId: 'client-1', clientSecret: 'client-s3cret' }

let server: RecordingServer | undefined
let proxy: TestProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await server?.close()
  proxy = undefined
  server = undefined
})

function clock(start = Date.parse('2025-03-01T10:00:00Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

async function against(handler: RecordingHandler, auth: InfobipAuth, now?: () => number) {
  server = await startRecordingServer(handler)
  const provider = createAuthProvider(auth, { baseUrl: server.url, ...(now ? { now } : {}) })
  return { server, client: new InfobipClient({ baseUrl: server.url, auth: provider }) }
}

const line = (r: { method: string; path: string }) => `${r.method} ${r.path}`

describe('on the wire, against the fake with fixed credentials', () => {
  it('IBSSO: posts the username and password as JSON once, then sends "IBSSO <token>"', async () => {
    const fake = createInfobipFake({ credentials: CREDENTIALS })
    const { server, client } = await against(fake.fetch, { kind: 'ibsso', username: 'shop', password: 'pw-s3cret' })
    await client.listForms()
    await client.listForms({ formStatus: 'ACTIVE' })
    const [session, first, second] = server.requests
    expect(server.requests.map(line)).toEqual(['POST /auth/1/session', 'GET /forms/1/forms', 'GET /forms/1/forms'])
    expect(session?.headers['content-type']).toMatch(/^application\/json/)
    expect(session?.json).toEqual({ username: 'shop', password: 'pw-s3cret' })
    expect(session?.headers.authorization).toBeUndefined()
    expect(first?.headers.authorization).toMatch(/^IBSSO [0-9A-F]{48}$/)
    expect(second?.headers.authorization).toBe(first?.headers.authorization)
    expect(second?.query.get('formStatus')).toBe('ACTIVE')
  })

  it('OAuth: posts client credentials form-encoded once, then sends "Bearer <access_token>"', async () => {
    const fake = createInfobipFake({ credentials: CREDENTIALS })
    const { server, client } = await against(fake.fetch, {
      kind: 'oauth',
      clientId: 'client-1',
      clientSecret: 'client-s3cret',
    })
    await Promise.all([client.listForms(), client.listForms(), client.listForms()])
    expect(server.requests.map(line)).toEqual([
      'POST /auth/1/oauth2/token',
      'GET /forms/1/forms',
      'GET /forms/1/forms',
      'GET /forms/1/forms',
    ])
    const token = server.requests[0]
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({
      client_id: 'client-1',
      client_secret: 'client-s3cret',
      grant_type: 'client_credentials',
    })
    const headers = new Set(server.requests.slice(1).map((r) => r.headers.authorization))
    expect(headers.size).toBe(1)
    expect([...headers][0]).toMatch(/^Bearer [A-Za-z0-9_-]{40,}$/)
  })

  it('Basic and App keys go out unchanged, with no auth endpoint involved', async () => {
    const fake = createInfobipFake({ credentials: { username: 'shop', password: 'pw-s3cret' } })
    const { server, client } = await against(fake.fetch, { kind: 'basic', username: 'shop', password: 'pw-s3cret' })
    await client.listForms()
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('shop:pw-s3cret').toString('base64')}`,
    ])
  })
})

describe('on the wire, against a scripted server', () => {
  it('IBSSO renewal deletes the old session with its own token before creating a new one', async () => {
    const time = clock()
    let issued = 0
    const handler: RecordingHandler = (req) => {
      const path = new URL(req.url).pathname
      if (path === '/auth/1/session' && req.method === 'POST') {
        issued += 1
        return Response.json({ token: `TOKEN${issued}` })
      }
      if (path === '/auth/1/session' && req.method === 'DELETE') {
        return new Response(null, { status: 204 })
      }
      return Response.json({ forms: [] })
    }
    const { server, client } = await against(handler, { kind: 'ibsso', username: 'u', password: 'p' }, time.now)
    await client.listForms()
    time.advance(50 * 60_000)
    await client.listForms()
    expect(server.requests.map((r) => `${line(r)} ${r.headers.authorization ?? ''}`.trim())).toEqual([
      'POST /auth/1/session',
      'GET /forms/1/forms IBSSO TOKEN1',
      'DELETE /auth/1/session IBSSO TOKEN1',
      'POST /auth/1/session',
      'GET /forms/1/forms IBSSO TOKEN2',
    ])
  })

  it('IBSSO renewal goes on when ending the old session fails', async () => {
    let issued = 0
    const handler: RecordingHandler = (req) => {
      const path = new URL(req.url).pathname
      if (path === '/auth/1/session' && req.method === 'POST') {
        issued += 1
        return Response.json({ token: `T${issued}` })
      }
      if (path === '/auth/1/session') {
        return Response.json(
          { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'x' } } },
          { status: 401 },
        )
      }
      // The first token is refused, as after a server-side expiry.
      const ok = req.headers.get('authorization') === `IBSSO T${issued}` && issued > 1
      return ok
        ? Response.json({ forms: [] })
        : Response.json(
            { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'x' } } },
            { status: 401 },
          )
    }
    const { server, client } = await against(handler, { kind: 'ibsso', username: 'u', password: 'p' })
    await client.listForms()
    expect(server.requests.map((r) => `${line(r)} ${r.headers.authorization ?? ''}`.trim())).toEqual([
      'POST /auth/1/session',
      'GET /forms/1/forms IBSSO T1',
      'DELETE /auth/1/session IBSSO T1',
      'POST /auth/1/session',
      'GET /forms/1/forms IBSSO T2',
    ])
  })

  it('OAuth honours a short expires_in (renewed at nine tenths of it)', async () => {
    const time = clock()
    let issued = 0
    const handler: RecordingHandler = (req) => {
      if (new URL(req.url).pathname === '/auth/1/oauth2/token') {
        issued += 1
        return Response.json({ access_token: `at-${issued}`, expires_in: 100, token_type: 'Bearer' })
      }
      return Response.json({ forms: [] })
    }
    const { server, client } = await against(handler, { kind: 'oauth', clientId: 'c', clientSecret: 's' }, time.now)
    await client.listForms()
    time.advance(89_999)
    await client.listForms()
    time.advance(1)
    await client.listForms()
    expect(server.requests.map((r) => r.headers.authorization ?? line(r))).toEqual([
      'POST /auth/1/oauth2/token',
      'Bearer at-1',
      'Bearer at-1',
      'POST /auth/1/oauth2/token',
      'Bearer at-2',
    ])
  })

  it('concurrent callers wait for one slow token request', async () => {
    // The token answer is held until the request has reached the server, a network round trip after
    // all eight callers asked: no sleep decides whether they overlap.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const handler: RecordingHandler = async (req) => {
      if (new URL(req.url).pathname === '/auth/1/oauth2/token') {
        await held
        return Response.json({ access_token: 'slow-token', expires_in: 3600, token_type: 'Bearer' })
      }
      return Response.json({ forms: [] })
    }
    const { server, client } = await against(handler, { kind: 'oauth', clientId: 'c', clientSecret: 's' })
    const listed = Promise.all(Array.from({ length: 8 }, () => client.listForms()))
    await vi.waitFor(() => expect(server.requests.filter((r) => r.path === '/auth/1/oauth2/token')).toHaveLength(1))
    release()
    await listed
    expect(server.requests.filter((r) => r.path === '/auth/1/oauth2/token')).toHaveLength(1)
    expect(server.requests.filter((r) => r.headers.authorization === 'Bearer slow-token')).toHaveLength(8)
  })
})

/**
 * Every response the browser gets from the proxy in a signup's life (definitions, a view, a
 * signup, the same signup while Infobip fails, an unknown form), as one text of status, headers
 * and bodies.
 */
async function whatTheBrowserSees(p: TestProxy, fake: ReturnType<typeof createInfobipFake>): Promise<string> {
  const responses = [
    await p.request('/v1/forms/welcome-legacy'),
    await p.request('/v1/forms/newsletter'),
    await p.request('/v1/forms/welcome-legacy/views', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    await p.submit('welcome-legacy', { email: 'ann@example.com', firstName: 'Ann' }),
  ]
  fake.failNext(
    { method: 'POST', path: /^\/communication\// },
    { status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'x' } } } },
  )
  responses.push(await p.submit('welcome-legacy', { email: 'bo@example.com' }))
  fake.failNext(
    { method: 'POST', path: /^\/communication\// },
    { status: 403, body: { requestError: { serviceException: { messageId: 'FORBIDDEN', text: 'x' } } } },
  )
  responses.push(await p.submit('welcome-legacy', { email: 'cy@example.com' }))
  responses.push(await p.request('/v1/forms/nope'))
  // The Infobip-defined form answers 503: get form declares only the API-key scheme, and every case
  // here uses another one (the fake holds the proxy to the spec).
  expect(responses.map((r) => r.status)).toEqual([200, 503, 204, 200, 202, 503, 404])
  const texts = await Promise.all(
    responses.map(
      async (r) => `${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await r.text()}`,
    ),
  )
  return texts.join('\n')
}

/** What went out as credentials: whole Authorization values and the secret part after the scheme. */
function credentialsOnTheWire(recorded: RecordingServer): string[] {
  const values = new Set(recorded.requests.map((r) => r.headers.authorization).filter((v): v is string => Boolean(v)))
  return [...values].flatMap((v) => [v, v.slice(v.indexOf(' ') + 1)])
}

describe('no credential reaches the browser or the log', () => {
  const cases: [string, InfobipAuth, RegExp][] = [
    ['Basic', { kind: 'basic', username: 'shop', password: 'pw-s3cret' }, /^Basic [A-Za-z0-9+/=]+$/],
    ['IBSSO', { kind: 'ibsso', username: 'shop', password: 'pw-s3cret' }, /^IBSSO [0-9A-F]{48}$/],
    ['OAuth', { kind: 'oauth', clientId: 'client-1', clientSecret: 'client-s3cret' }, /^Bearer [A-Za-z0-9_-]{40,}$/],
  ]
  for (const [name, auth, scheme] of cases) {
    it(`${name}: neither the secret nor what was sent or minted from it`, async () => {
      const fake = createInfobipFake({ credentials: CREDENTIALS })
      server = await startRecordingServer(fake.fetch)
      proxy = await createTestProxy({ infobip: { baseUrl: server.url, auth } })
      const seen = await whatTheBrowserSees(proxy, fake)
      const sent = credentialsOnTheWire(server)
      // The scheme's own credential really went out (so the check below is not vacuous).
      expect(sent.some((v) => scheme.test(v))).toBe(true)
      const secrets = [...sent, 'pw-s3cret', 'client-s3cret', Buffer.from('shop:pw-s3cret').toString('base64')]
      const log = proxy.logText()
      for (const secret of secrets) {
        expect(seen, `response carries ${secret}`).not.toContain(secret)
        expect(log, `log carries ${secret}`).not.toContain(secret)
      }
    })
  }
})

describe('runtime wiring', () => {
  it('a live proxy configured for IBSSO enrols through the legacy flow with an IBSSO header', async () => {
    const fake = createInfobipFake({ credentials: CREDENTIALS })
    server = await startRecordingServer(fake.fetch)
    proxy = await createTestProxy({
      infobip: { baseUrl: server.url, auth: { kind: 'ibsso', username: 'shop', password: 'pw-s3cret' } },
    })
    const res = await proxy.submit('welcome-legacy', { email: 'ann@example.com', firstName: 'Ann' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'enrolled' })
    const flowCall = server.requests.find((r) => r.path.startsWith('/communication/'))
    expect(flowCall?.headers.authorization).toMatch(/^IBSSO /)
    expect(server.requests[0]?.path).toBe('/auth/1/session')
    expect(proxy.logText()).not.toContain('pw-s3cret')
    // Stopping the server destroys its session rather than leaving it to time out.
    await proxy.close()
    proxy = undefined
    expect(server.requests.filter((r) => r.path === '/auth/1/session').map(line)).toEqual([
      'POST /auth/1/session',
      'DELETE /auth/1/session',
    ])
  })

  it('a live proxy configured for OAuth enrols through Moments with a Bearer header', async () => {
    const fake = createInfobipFake({ credentials: CREDENTIALS })
    server = await startRecordingServer(fake.fetch)
    proxy = await createTestProxy({
      infobip: { baseUrl: server.url, auth: { kind: 'oauth', clientId: 'client-1', clientSecret: 'client-s3cret' } },
    })
    const res = await proxy.submit('welcome', { email: 'bo@example.com', consent: true })
    expect([200, 202]).toContain(res.status)
    const momentsCall = server.requests.find((r) => r.path.startsWith('/moments/'))
    expect(momentsCall?.headers.authorization).toMatch(/^Bearer /)
    expect(proxy.logText()).not.toContain('client-s3cret')
  })
})
