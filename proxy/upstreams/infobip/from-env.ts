import type { ProxyEnv } from '../../config/env'
import type { SandboxInfobipOptions, SandboxUpstream } from '../sandbox'
import { remoteSandboxFetch, type SandboxLink } from '../sandbox-link'
import { DEFAULTS } from '../../config/defaults'
import {
  accountKey,
  AccountLimiter,
  type AccountLimiterOptions,
  type CallLimiter,
  sharedAccountLimiter,
} from './account-limiter'
import { createAuthProvider, staticAuth } from './auth'
import { InfobipClient } from './client'

export const SANDBOX_BASE_URL = 'https://sandbox.infobip.invalid'

export interface UpstreamClients {
  mode: 'sandbox' | 'live'
  infobip: InfobipClient
  /** The in-process Infobip fake, in sandbox mode. */
  fake: SandboxUpstream | null
}

export interface ClientOptions {
  /** Replaces global fetch for live calls (tests). */
  fetch?: typeof fetch
  /** Clock for session and token lifetimes (tests). */
  now?: () => number
  /** Options of the in-process fake (sandbox mode): rate limit, report delay, notify delivery. */
  sandbox?: SandboxInfobipOptions
  /**
   * Sandbox mode in the CLI: the fake of the sandbox proxy that is running (sandbox-link.ts)
   * instead of a fresh one, so that commands act on its demo signups.
   */
  sandboxLink?: SandboxLink | null
  /** The account limiter's options; perSecond defaults to INFOBIP_REQUESTS_PER_SECOND, else the limiter's default. */
  limiter?: AccountLimiterOptions
  /**
   * The limiter every instance shares (shared-limiter.ts, with FLOWFORM_DATABASE_URL), built for the
   * account's key and rate; default: this process's own (sharedAccountLimiter).
   */
  sharedLimiter?: (account: string, perSecond: number) => CallLimiter
  /** Wraps every fetch of the clients, live or sandbox (the runtime's metrics time each call). */
  wrapFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch
}

/**
 * The upstream clients for an environment, shared by the server (runtime.ts) and the operator CLI
 * so both use the same credentials the same way. No credentials: a fresh in-process fake, loaded
 * only then so that a live proxy never loads the fakes.
 */
export async function createClients(env: ProxyEnv, given: ClientOptions = {}): Promise<UpstreamClients> {
  const options = withWrappedFetch(given)
  const limits: AccountLimiterOptions = {
    ...(env.infobipRequestsPerSecond !== undefined ? { perSecond: env.infobipRequestsPerSecond } : {}),
    ...options.limiter,
  }
  if (!env.infobip && options.sandboxLink) {
    const infobip = new InfobipClient({
      baseUrl: SANDBOX_BASE_URL,
      auth: staticAuth({ kind: 'app', apiKey: 'sandbox' }),
      fetch: remoteSandboxFetch(options.sandboxLink, 'infobip'),
      limiter: new AccountLimiter(limits),
    })
    return { mode: 'sandbox', infobip, fake: null }
  }
  if (!env.infobip) {
    const { createInfobipFake } = await import('../../../fakes/infobip-fake')
    const fake: SandboxUpstream = createInfobipFake(options.sandbox)
    const infobip = new InfobipClient({
      baseUrl: SANDBOX_BASE_URL,
      auth: staticAuth({ kind: 'app', apiKey: 'sandbox' }),
      fetch: (given.wrapFetch ?? same)((input, init) => fake.fetch(new Request(input, init))),
      // Each fake is an account of its own, throttled like a real one.
      limiter: new AccountLimiter(limits),
    })
    return { mode: 'sandbox', infobip, fake }
  }
  const { baseUrl } = env.infobip
  const auth = createAuthProvider(env.infobip.auth, {
    baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
  const infobip = new InfobipClient({
    baseUrl,
    auth,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Every client of this account in the process (server, CLI) shares one limiter; with the shared
    // store, every instance does.
    limiter: options.sharedLimiter
      ? options.sharedLimiter(accountKey(env.infobip), limits.perSecond ?? DEFAULTS.infobipRequestsPerSecond)
      : sharedAccountLimiter(env.infobip, limits),
  })
  return { mode: 'live', infobip, fake: null }
}

const same = (fetch: typeof globalThis.fetch): typeof globalThis.fetch => fetch

/** `fetch` replaced by its wrapped form (global fetch looked up at each call, as the clients do). */
function withWrappedFetch(options: ClientOptions): ClientOptions {
  const { wrapFetch, ...rest } = options
  if (!wrapFetch) {
    return rest
  }
  const inner = options.fetch
  return { ...rest, fetch: wrapFetch((input, init) => (inner ?? globalThis.fetch)(input, init)) }
}
