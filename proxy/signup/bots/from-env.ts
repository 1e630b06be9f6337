import type { ProxyEnv } from '../../config/env'
import { ConfigError, type LoadedConfig } from '../../config/load'
import type { Logger } from '../../common/log'
import { BotGate } from './gate'
import type { SpentChallenges } from './spent-challenges'
import { loadTokenSecret } from './secret'
import { type HostedProvider, type HostedVerifier, SCRIPT_URLS, VERIFY_URLS } from './siteverify'

export interface BotRuntimeOptions {
  now?: () => number
  fetch?: typeof fetch
  /** false: every form's checks off (browser tests whose widget does not send the token yet). */
  enabled?: boolean
  /** The spent ALTCHA challenges, when instances share them (PostgreSQL; delivery/open-store.ts). */
  spent?: SpentChallenges
}

/**
 * The bot gate from the environment: the token key, and each hosted provider that has a secret.
 * A form whose challenge provider has no secret stops the start: it would refuse every signup.
 */
export function createBotGate(
  env: ProxyEnv,
  loaded: LoadedConfig,
  log: Logger,
  options: BotRuntimeOptions = {},
): BotGate {
  const hosted: Partial<Record<HostedProvider, HostedVerifier>> = {}
  for (const provider of ['turnstile', 'hcaptcha', 'recaptcha'] as const) {
    const configured = env.bots?.[provider]
    if (configured) {
      hosted[provider] = {
        secret: configured.secret,
        verifyUrl: configured.verifyUrl ?? VERIFY_URLS[provider],
        scriptUrl: configured.scriptUrl ?? SCRIPT_URLS[provider],
      }
    }
  }
  const gate = new BotGate({
    secret: loadTokenSecret(env.bots?.tokenSecret, env.dataDir),
    hosted,
    log,
    ...options,
  })
  const missing = gate.unconfigured(loaded.config.forms)
  if (missing.length > 0) {
    throw new ConfigError(
      `Config ${loaded.source ?? 'built-in demo config'}: ${missing.join(', ')}, but its secret is not set (TURNSTILE_SECRET, HCAPTCHA_SECRET or RECAPTCHA_SECRET)`,
    )
  }
  return gate
}
