import type { InfobipAuth } from '../env'

/**
 * Produces the `Authorization` header for Infobip calls. Static schemes answer at once; session
 * and token schemes (IBSSO, OAuth 2) can be added behind the same interface.
 */
export interface InfobipAuthProvider {
  header(): Promise<string>
  /** Called after a 401 so that a cached session or token is fetched again. */
  invalidate(): void
}

export function staticAuth(auth: InfobipAuth): InfobipAuthProvider {
  const value =
    auth.kind === 'app'
      ? `App ${auth.apiKey}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
  return { header: async () => value, invalidate: () => {} }
}
