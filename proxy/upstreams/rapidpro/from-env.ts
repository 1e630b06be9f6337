import type { ProxyEnv } from '../../config/env'
import type { SandboxRapidproOptions, SandboxUpstream } from '../sandbox'
import { remoteSandboxFetch, type SandboxLink } from '../sandbox-link'
import { RapidproClient } from './client'
import { RapidproThrottle } from './throttle'

export const RAPIDPRO_SANDBOX_BASE_URL = 'https://sandbox.rapidpro.invalid'

export interface RapidproSetup {
  /** null: RapidPro is off (live Infobip without RapidPro credentials); `rapidpro` blocks are skipped. */
  client: RapidproClient | null
  /** The in-process fake, in sandbox mode. */
  fake: SandboxUpstream | null
  mode: 'live' | 'sandbox' | 'off'
}

/**
 * The RapidPro client for an environment, for the server and the operator CLI alike. With
 * RAPIDPRO_BASE_URL + RAPIDPRO_TOKEN: the real API. With no upstream credentials at all (sandbox
 * mode): an in-process fake. With live Infobip but no RapidPro credentials: off, so that real
 * signups never land in a fake. The fake is loaded only in sandbox mode.
 */
export async function createRapidpro(
  env: Pick<ProxyEnv, 'infobip' | 'rapidpro'>,
  options: {
    fetch?: typeof fetch
    sandbox?: SandboxRapidproOptions
    sandboxLink?: SandboxLink | null
    /** Wraps every fetch of the client, live or sandbox (the runtime's metrics time each call). */
    wrapFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch
  } = {},
): Promise<RapidproSetup> {
  const wrap = options.wrapFetch ?? ((fetch: typeof globalThis.fetch) => fetch)
  if (env.rapidpro) {
    const inner = options.fetch
    const client = new RapidproClient({
      baseUrl: env.rapidpro.baseUrl,
      token: env.rapidpro.token,
      ...(options.fetch || options.wrapFetch
        ? { fetch: wrap((input, init) => (inner ?? globalThis.fetch)(input, init)) }
        : {}),
    })
    return { client, fake: null, mode: 'live' }
  }
  if (env.infobip) {
    return { client: null, fake: null, mode: 'off' }
  }
  if (options.sandboxLink) {
    // The CLI in sandbox mode: the running sandbox proxy's fake (sandbox-link.ts).
    const client = new RapidproClient({
      baseUrl: RAPIDPRO_SANDBOX_BASE_URL,
      token: 'sandbox',
      fetch: remoteSandboxFetch(options.sandboxLink, 'rapidpro'),
    })
    return { client, fake: null, mode: 'sandbox' }
  }
  const { createRapidproFake } = await import('../../../fakes/rapidpro-fake')
  const fake: SandboxUpstream = createRapidproFake(options.sandbox)
  const client = new RapidproClient({
    baseUrl: RAPIDPRO_SANDBOX_BASE_URL,
    token: 'sandbox',
    // Each sandbox fake is a workspace of its own, with budgets of its own.
    throttle: new RapidproThrottle(),
    fetch: wrap((input, init) => fake.fetch(new Request(input, init))),
  })
  return { client, fake, mode: 'sandbox' }
}
