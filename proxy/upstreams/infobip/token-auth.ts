import { DEFAULTS } from '../../config/defaults'
import { addMintedSecret } from '../../common/redact'
import { NO_REDIRECTS, redirectRefused } from '../redirect'
import { retryAfterSeconds } from '../retry-after'
import type { AuthProviderOptions, InfobipAuthProvider } from './auth'
import { InfobipHttpError, InfobipNetworkError, parseInfobipErrorBody } from './errors'

/**
 * Infobip's two minted credentials (upstream-apis.md section 3): IBSSO sessions from
 * `POST /auth/1/session` and OAuth 2 access tokens from `POST /auth/1/oauth2/token`. Both are
 * cached, renewed before they run out and after a 401, and concurrent callers share one request.
 */

/** Sessions expire after 60 minutes by default; renewing at 50 leaves room for slow calls and clock drift. */
export const IBSSO_RENEW_AFTER_MS = 50 * 60_000
/** An access token is renewed this long before `expires_in` runs out (a tenth of it for short lifetimes). */
export const OAUTH_RENEW_EARLY_MS = 60_000

const SESSION_PATH = '/auth/1/session'
const TOKEN_PATH = '/auth/1/oauth2/token'

interface Grant {
  token: string
  /** When (ms, by the provider's clock) the grant is replaced instead of used. */
  renewAt: number
}

type Mint = (retired: Grant | null) => Promise<Grant>

class CachedTokenAuth implements InfobipAuthProvider {
  readonly #scheme: string
  readonly #mint: Mint
  readonly #end: ((grant: Grant) => Promise<void>) | undefined
  readonly #now: () => number
  #grant: Grant | null = null
  /** The last grant given up (expired or refused), handed to the next mint so IBSSO can end it. */
  #retired: Grant | null = null
  #pending: Promise<Grant> | null = null

  constructor(scheme: string, mint: Mint, now: () => number, end?: (grant: Grant) => Promise<void>) {
    this.#scheme = scheme
    this.#mint = mint
    this.#now = now
    this.#end = end
  }

  /** Ends the current grant (if it can be ended), and one being minted right now, once it arrives. */
  async close(): Promise<void> {
    const pending = this.#pending
    const grants = [this.#grant, this.#retired, pending ? await pending.catch(() => null) : null]
    this.#grant = null
    this.#retired = null
    const end = this.#end
    if (!end) {
      return
    }
    for (const grant of new Set(grants)) {
      if (grant) {
        await end(grant)
      }
    }
  }

  async header(): Promise<string> {
    const grant = this.#grant
    if (grant && this.#now() < grant.renewAt) {
      return `${this.#scheme} ${grant.token}`
    }
    if (grant) {
      this.#retire(grant)
    }
    const fresh = await this.#mintOnce()
    return `${this.#scheme} ${fresh.token}`
  }

  invalidate(refused?: string): boolean {
    const grant = this.#grant
    // A 401 for a token that was already replaced says nothing about the current one.
    if (grant && (refused === undefined || refused === `${this.#scheme} ${grant.token}`)) {
      this.#retire(grant)
    }
    return true
  }

  #retire(grant: Grant): void {
    this.#retired = grant
    this.#grant = null
  }

  #mintOnce(): Promise<Grant> {
    if (this.#pending) {
      return this.#pending
    }
    const retired = this.#retired
    this.#retired = null
    const pending: Promise<Grant> = this.#mint(retired)
      .then((grant) => {
        this.#grant = grant
        return grant
      })
      .finally(() => {
        if (this.#pending === pending) {
          this.#pending = null
        }
      })
    this.#pending = pending
    return pending
  }
}

export function ibssoAuth(
  credentials: { username: string; password: string },
  options: AuthProviderOptions,
): InfobipAuthProvider {
  const now = options.now ?? Date.now
  return new CachedTokenAuth(
    'IBSSO',
    async (retired) => {
      if (retired) {
        // To get a new token before the old one ends, Infobip wants the old session destroyed first.
        await endSession(options, retired.token)
      }
      const startedAt = now()
      const body = await call(options, 'POST', SESSION_PATH, {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: credentials.username, password: credentials.password }),
      })
      const token = (body as { token?: unknown } | undefined)?.token
      if (typeof token !== 'string' || token === '') {
        throw new InfobipHttpError(
          'POST',
          SESSION_PATH,
          200,
          'UNEXPECTED_BODY',
          'no token in the session answer',
          undefined,
        )
      }
      addMintedSecret(token)
      return { token, renewAt: startedAt + IBSSO_RENEW_AFTER_MS }
    },
    now,
    (grant) => endSession(options, grant.token),
  )
}

export function oauthAuth(
  credentials: { clientId: string; clientSecret: string },
  options: AuthProviderOptions,
): InfobipAuthProvider {
  const now = options.now ?? Date.now
  return new CachedTokenAuth(
    'Bearer',
    async () => {
      const startedAt = now()
      const form = new URLSearchParams({
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        grant_type: 'client_credentials',
      })
      const body = (await call(options, 'POST', TOKEN_PATH, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      })) as { access_token?: unknown; expires_in?: unknown } | undefined
      const token = body?.access_token
      const expiresIn = Number(body?.expires_in)
      if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
        throw new InfobipHttpError(
          'POST',
          TOKEN_PATH,
          200,
          'UNEXPECTED_BODY',
          'no access_token/expires_in in the token answer',
          undefined,
        )
      }
      addMintedSecret(token)
      const lifetimeMs = expiresIn * 1000
      return { token, renewAt: startedAt + lifetimeMs - Math.min(OAUTH_RENEW_EARLY_MS, lifetimeMs / 10) }
    },
    now,
  )
}

/** Best effort: a session that is already gone (401) or an unreachable host must not block the renewal. */
async function endSession(options: AuthProviderOptions, token: string): Promise<void> {
  try {
    await call(options, 'DELETE', SESSION_PATH, { headers: { authorization: `IBSSO ${token}` } }, 5_000)
  } catch {
    // Nothing to do: the session ends by itself after its idle time.
  }
}

async function call(
  options: AuthProviderOptions,
  method: string,
  path: string,
  init: RequestInit,
  timeoutMs = options.timeoutMs ?? DEFAULTS.upstreamTimeoutMs,
): Promise<unknown> {
  const doFetch = options.fetch ?? fetch
  let response: Response
  try {
    response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
      ...init,
      ...NO_REDIRECTS,
      method,
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new InfobipNetworkError(method, path, { cause: error })
  }
  const text = await response.text().catch(() => '')
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!response.ok) {
    const { code, message } = redirectRefused(response) ?? authErrorOf(body)
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'))
    throw new InfobipHttpError(method, path, response.status, code, message, retryAfter)
  }
  return body
}

/**
 * The token endpoint answers OAuthApiException (`error` next to Infobip's `requestError`, per the
 * spec) or, from OAuth servers, `{error, error_description}`; the session endpoint Infobip's envelope.
 */
function authErrorOf(body: unknown): { code?: string | undefined; message?: string | undefined } {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const envelope = parseInfobipErrorBody(body)
  if (typeof record.error === 'string') {
    const message = typeof record.error_description === 'string' ? record.error_description : envelope.message
    return { code: record.error, ...(message === undefined ? {} : { message }) }
  }
  return envelope
}
