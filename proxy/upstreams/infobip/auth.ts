import type { InfobipAuth } from '../../config/env'
import { ibssoAuth, oauthAuth } from './token-auth'

/**
 * Produces the `Authorization` header for Infobip calls. Static schemes (API key, Basic) answer at
 * once; session and token schemes (IBSSO, OAuth 2) fetch and cache a credential behind the same
 * interface (see infobip-token-auth.ts).
 */
export interface InfobipAuthProvider {
  header(): Promise<string>
  /**
   * Called after a 401 with the header value that was refused. Drops a cached session or token so
   * the next call fetches a new one, and answers whether trying again with a new one can help
   * (never for static credentials).
   */
  invalidate(refused?: string): boolean
  /**
   * Ends what was minted, on shutdown: an IBSSO session is destroyed (`DELETE /auth/1/session`), as
   * Infobip asks, so that runs of the CLI and restarts do not pile up open sessions.
   */
  close?(): Promise<void>
}

export function staticAuth(auth: Extract<InfobipAuth, { kind: 'app' | 'basic' }>): InfobipAuthProvider {
  const value =
    auth.kind === 'app'
      ? `App ${auth.apiKey}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
  return { header: async () => value, invalidate: () => false }
}

export interface AuthProviderOptions {
  /** Infobip base URL: sessions and tokens are minted by the same host the API calls go to. */
  baseUrl: string
  fetch?: typeof fetch
  now?: () => number
  timeoutMs?: number
}

/** The provider for the configured scheme (proxy/config/env.ts). */
export function createAuthProvider(auth: InfobipAuth, options: AuthProviderOptions): InfobipAuthProvider {
  switch (auth.kind) {
    case 'app':
    case 'basic':
      return staticAuth(auth)
    case 'ibsso':
      return ibssoAuth({ username: auth.username, password: auth.password }, options)
    case 'oauth':
      return oauthAuth({ clientId: auth.clientId, clientSecret: auth.clientSecret }, options)
  }
}

/** How the operator's credentials are used, for start-up lines and `flowform check`; no secret in it. */
export function describeAuth(auth: InfobipAuth): string {
  switch (auth.kind) {
    case 'app':
      return 'API key'
    case 'basic':
      return 'Basic (username and password)'
    case 'ibsso':
      return 'IBSSO session (username and password)'
    case 'oauth':
      return 'OAuth 2 client credentials'
  }
}
