// Infobip's four Authorization schemes plus the two endpoints that mint IBSSO and OAuth tokens.
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { empty, json, mediaType, readJson, requestError, unauthorized } from './http'

export interface InfobipCredentials {
  apiKey?: string
  username?: string
  password?: string
  clientId?: string
  clientSecret?: string
}

const SESSION_IDLE_MS = 60 * 60 * 1000
const OAUTH_TTL_SECONDS = 3600

const sessionBody = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  unsafe: z.boolean().optional(),
})

interface Grant {
  account: string
  expiresAt: number
}

export class AuthState {
  readonly #credentials: InfobipCredentials | undefined
  readonly #now: () => number
  readonly #sessions = new Map<string, Grant>()
  readonly #tokens = new Map<string, Grant>()

  constructor(credentials: InfobipCredentials | undefined, now: () => number) {
    this.#credentials = credentials
    this.#now = now
  }

  // With fixed credentials there is exactly one account, whatever scheme is used; otherwise each
  // credential stands for its own account, so rate limits of two test clients do not interfere.
  #account(identity: string): string {
    return this.#credentials ? 'account' : identity
  }

  // Fixed credentials make every scheme they do not configure unusable, like a real account.
  #userOk(username: string, password: string): boolean {
    const expected = this.#credentials
    if (expected) {
      return expected.username !== undefined && username === expected.username && password === expected.password
    }
    return username !== '' && password !== ''
  }

  /** The account the request acts for, or `undefined` when it must be answered with 401. */
  authenticate(header: string | null): string | undefined {
    const match = /^(\S+) +(\S.*)$/.exec(header?.trim() ?? '')
    const scheme = match?.[1]?.toLowerCase()
    const credential = match?.[2]?.trim() ?? ''
    if (credential === '') {
      return undefined
    }
    switch (scheme) {
      case 'app': {
        const ok = this.#credentials ? credential === this.#credentials.apiKey : true
        return ok ? this.#account(`app:${credential}`) : undefined
      }
      case 'basic': {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credential)) {
          return undefined
        }
        const decoded = Buffer.from(credential, 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        if (colon < 0) {
          return undefined
        }
        const username = decoded.slice(0, colon)
        return this.#userOk(username, decoded.slice(colon + 1)) ? this.#account(`user:${username}`) : undefined
      }
      case 'ibsso': {
        const session = this.#live(this.#sessions, credential)
        if (session) {
          // Sessions expire after a period of inactivity, so every use extends them.
          session.expiresAt = this.#now() + SESSION_IDLE_MS
        }
        return session?.account
      }
      case 'bearer':
        return this.#live(this.#tokens, credential)?.account
      default:
        return undefined
    }
  }

  #live(grants: Map<string, Grant>, token: string): Grant | undefined {
    const grant = grants.get(token)
    if (grant && grant.expiresAt <= this.#now()) {
      grants.delete(token)
      return undefined
    }
    return grant
  }

  /** Answers the auth endpoints; `undefined` when the request is not for one of them. */
  async handle(request: Request, path: string): Promise<Response | undefined> {
    if (path === '/auth/1/session' && request.method === 'POST') {
      return this.#createSession(request)
    }
    if (path === '/auth/1/session' && request.method === 'DELETE') {
      const header = request.headers.get('authorization') ?? ''
      const token = /^IBSSO +(\S+)$/i.exec(header.trim())?.[1]
      if (token === undefined || !this.#live(this.#sessions, token)) {
        return unauthorized()
      }
      this.#sessions.delete(token)
      // The spec answers 200 "OK", without a body.
      return empty(200)
    }
    if (path === '/auth/1/oauth2/token' && request.method === 'POST') {
      return this.#issueToken(request)
    }
    return undefined
  }

  async #createSession(request: Request): Promise<Response> {
    const body = await readJson(request)
    const parsed = body.ok ? sessionBody.safeParse(body.value) : undefined
    if (!parsed?.success) {
      return requestError(400, 'BAD_REQUEST', 'Bad request')
    }
    const { username, password } = parsed.data
    if (!this.#userOk(username, password)) {
      return unauthorized()
    }
    const token = randomBytes(24).toString('hex').toUpperCase()
    this.#sessions.set(token, { account: this.#account(`user:${username}`), expiresAt: this.#now() + SESSION_IDLE_MS })
    return json(200, { token })
  }

  async #issueToken(request: Request): Promise<Response> {
    if (mediaType(request) !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 'invalid_request', 'BAD_REQUEST', 'Expected application/x-www-form-urlencoded')
    }
    const form = new URLSearchParams(await request.text())
    const grantType = form.get('grant_type')
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'BAD_REQUEST', `Unsupported grant type: ${grantType ?? ''}`)
    }
    const clientId = form.get('client_id') ?? ''
    const clientSecret = form.get('client_secret') ?? ''
    const expected = this.#credentials
    const ok = expected
      ? expected.clientId !== undefined && clientId === expected.clientId && clientSecret === expected.clientSecret
      : clientId !== '' && clientSecret !== ''
    if (!ok) {
      return oauthError(401, 'invalid_client', 'UNAUTHORIZED', 'Bad client credentials')
    }
    const accessToken = randomBytes(32).toString('base64url')
    this.#tokens.set(accessToken, {
      account: this.#account(`client:${clientId}`),
      expiresAt: this.#now() + OAUTH_TTL_SECONDS * 1000,
    })
    return json(200, { access_token: accessToken, expires_in: OAUTH_TTL_SECONDS, token_type: 'Bearer' })
  }
}

/**
 * OAuthApiException, the token endpoint's 4XX/5XX schema: the deprecated `error` next to the
 * `requestError.serviceException` every other endpoint answers (no `error_description`).
 */
function oauthError(status: number, error: string, messageId: 'BAD_REQUEST' | 'UNAUTHORIZED', text: string): Response {
  return json(status, { error, requestError: { serviceException: { messageId, text } } })
}
