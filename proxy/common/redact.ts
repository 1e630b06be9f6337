/**
 * The one redaction of secrets (contract section 2: no secret in a log line, a stored row or CLI
 * output, not even when an upstream echoes it back). The environment's secrets are registered when
 * it is read (config/env.ts), minted session and access tokens when they are issued
 * (upstreams/infobip/token-auth.ts). Every sink passes its text through `redact`: the logger
 * (log.ts, each line as written), the outbox (each stored reason) and the CLI printer (cli/io.ts).
 *
 * Written here rather than taken from a library: pino's `redact` only knows paths, not values,
 * and a secret echoed inside an upstream's free text has no path.
 */

export const REDACTED = '[redacted]'

/**
 * Shorter values are not redacted: replacing every `abc` in every line would hide what the operator
 * needs, and a 3-character credential is not a secret anyone can keep. Credentials Infobip and
 * RapidPro issue are far longer.
 */
const MIN_SECRET_LENGTH = 4
/** Minted tokens remembered: a few renewals' worth (a session lasts 50 minutes), so memory stays bounded. */
const MAX_RUNTIME_SECRETS = 32

const fixed = new Set<string>()
const minted: string[] = []
/** The forms a secret can take in a text, longest first so a longer form is replaced whole. */
let forms: string[] = []

/** A secret as it may appear: itself, JSON-escaped (in a log line), URL-encoded (in a form body). */
function variants(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]
}

function rebuild(): void {
  const all = new Set<string>()
  for (const secret of [...fixed, ...minted]) {
    for (const form of variants(secret)) {
      all.add(form)
    }
  }
  forms = [...all].sort((a, b) => b.length - a.length)
}

/** Registers configured secrets (passwords, keys, tokens) for the life of the process. */
export function addSecrets(...secrets: readonly (string | undefined | null)[]): void {
  let changed = false
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH && !fixed.has(secret)) {
      fixed.add(secret)
      changed = true
    }
  }
  if (changed) {
    rebuild()
  }
}

/** Registers a credential issued at runtime (an IBSSO session, an OAuth access token); the oldest are forgotten. */
export function addMintedSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH || minted.includes(secret) || fixed.has(secret)) {
    return
  }
  minted.push(secret)
  if (minted.length > MAX_RUNTIME_SECRETS) {
    minted.shift()
  }
  rebuild()
}

/**
 * The secret-bearing parts of config/env.ts's ProxyEnv, spelled out here so that common/ depends on
 * nothing else of the proxy (ProxyEnv satisfies it; config/env.ts calls addEnvSecrets).
 */
export interface SecretsOf {
  infobip: {
    auth:
      | { kind: 'basic' | 'ibsso'; username: string; password: string }
      | { kind: 'app'; apiKey: string }
      | { kind: 'oauth'; clientSecret: string }
  } | null
  rapidpro: { token: string } | null
  momentsNotify?: { secret: string } | null | undefined
  databaseUrl?: string | undefined
  metricsToken?: string | null | undefined
}

/**
 * Registers every secret of the proxy's environment (contract section 2): called by readEnv, and
 * by the runtime for an environment built by hand (tests, embedding).
 */
export function addEnvSecrets(env: SecretsOf): void {
  const auth = env.infobip?.auth
  addSecrets(
    auth?.kind === 'app' ? auth.apiKey : null,
    auth?.kind === 'basic' || auth?.kind === 'ibsso' ? auth.password : null,
    auth?.kind === 'basic' || auth?.kind === 'ibsso' ? basicAuthSecret(auth.username, auth.password) : null,
    auth?.kind === 'oauth' ? auth.clientSecret : null,
    env.rapidpro?.token,
    env.momentsNotify?.secret,
    databasePassword(env.databaseUrl),
    env.metricsToken,
  )
}

/** The password inside a postgres:// URL, as written and as decoded (a driver may print either). */
function databasePassword(url: string | undefined): string | null {
  if (!url) {
    return null
  }
  try {
    const password = new URL(url).password
    if (password) {
      addSecrets(decodeURIComponent(password))
    }
    return password || null
  } catch {
    return null
  }
}

/** Basic auth's header value carries `base64(user:password)`, which an upstream may echo as is. */
export function basicAuthSecret(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64')
}

/** `text` with every registered secret replaced by `[redacted]`. */
export function redact(text: string): string {
  let result = text
  for (const form of forms) {
    if (result.includes(form)) {
      result = result.split(form).join(REDACTED)
    }
  }
  return result
}

/** For a sink that stores or prints values of any type: strings are redacted, the rest passes. */
export function redactValue<T>(value: T): T {
  return (typeof value === 'string' ? redact(value) : value) as T
}
