/**
 * What a call to any upstream (Infobip, RapidPro) can fail with. Every upstream's errors extend
 * UpstreamCallError, so the retry decision reads two fields and never a list of classes: `transient`
 * (worth trying again later) and `retryAfterSeconds` (how long the upstream asked us to wait).
 */

export type Upstream = 'infobip' | 'rapidpro'

/** How the operator knows each upstream, in messages. */
const UPSTREAM_NAMES: Record<Upstream, string> = { infobip: 'Infobip', rapidpro: 'RapidPro' }

export interface UpstreamCallErrorOptions {
  transient: boolean
  retryAfterSeconds?: number | undefined
  /** The call never left this process (our own limiter held it back), so retrying it costs no attempt. */
  heldBack?: boolean
  cause?: unknown
}

export abstract class UpstreamCallError extends Error {
  override name: string = 'UpstreamCallError'
  /** Worth trying again later: the upstream was busy, broken or unreachable, not refusing the data. */
  readonly transient: boolean
  /** The wait the upstream asked for (Retry-After), in whole seconds; undefined when it named none. */
  readonly retryAfterSeconds: number | undefined
  readonly heldBack: boolean

  constructor(
    readonly upstream: Upstream,
    message: string,
    options: UpstreamCallErrorOptions,
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.transient = options.transient
    this.retryAfterSeconds = options.retryAfterSeconds
    this.heldBack = options.heldBack ?? false
  }
}

/** Statuses that say "not now" rather than "not this": overloaded, broken, or too slow. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500 || status === 408
}

/** The upstream answered with an error status, or with a body that is not what its API documents. */
export class UpstreamHttpError extends UpstreamCallError {
  override name: string = 'UpstreamHttpError'
  constructor(
    upstream: Upstream,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The upstream's own code (Infobip's `40002`, `UNEXPECTED_BODY`, …), kept for mapping and for the operator. */
    readonly upstreamCode: string | undefined,
    /** The upstream's own text, for the operator only: the raw body never reaches a person. */
    readonly upstreamMessage: string | undefined,
    options: { retryAfterSeconds?: number | undefined; message?: string } = {},
  ) {
    super(
      upstream,
      options.message ??
        `${UPSTREAM_NAMES[upstream]} answered ${status}${upstreamCode ? ` (${upstreamCode})` : ''}: ${method} ${path}`,
      { transient: isTransientStatus(status), retryAfterSeconds: options.retryAfterSeconds },
    )
  }
}

/** Nothing usable came back: refused, reset, timed out, DNS. Always worth trying again. */
export class UpstreamNetworkError extends UpstreamCallError {
  override name: string = 'UpstreamNetworkError'
  constructor(
    upstream: Upstream,
    readonly method: string,
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(
      upstream,
      `${UPSTREAM_NAMES[upstream]} could not be reached (${networkCause(options.cause)}): ${method} ${path}`,
      { transient: true, cause: options.cause },
    )
  }
}

export function isUpstreamCallError(error: unknown): error is UpstreamCallError {
  return error instanceof UpstreamCallError
}

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
}

/** "connection refused (ECONNREFUSED)", "timed out", …: what an operator needs to tell DNS from firewall from a slow upstream. */
export function networkCause(cause: unknown): string {
  if (cause instanceof Error && cause.name === 'TimeoutError') {
    return 'timed out'
  }
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (typeof code === 'string') {
      return `${CAUSES[code] ?? 'network error'} (${code})`
    }
    current = current.cause
  }
  return cause instanceof Error ? cause.message.slice(0, 100) : 'network error'
}

/**
 * One line about a failed upstream call, for the operator (CLI output, logs): the status, the
 * upstream's code and text, and the call; the network cause; never a credential.
 */
export function describeUpstreamError(error: unknown): string {
  if (error instanceof UpstreamHttpError) {
    const code = error.upstreamCode && error.upstreamCode !== String(error.status) ? ` ${error.upstreamCode}` : ''
    const text = error.upstreamMessage ? `: ${error.upstreamMessage}` : ''
    return `${UPSTREAM_NAMES[error.upstream]} answered ${error.status}${code}${text} (${error.method} ${error.path})`
  }
  if (error instanceof UpstreamNetworkError) {
    // The message already names the cause (networkCause).
    return error.message
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}

/**
 * A failure of the connection itself, not of our code: what fetch (undici) throws when it cannot
 * reach the host ("fetch failed", or an errno code), and ky's timeout. A TypeError from our own
 * `new Headers` or a bug must not be read as "could not be reached".
 */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false
  }
  if (error.name === 'TimeoutError' || (error instanceof TypeError && error.message === 'fetch failed')) {
    return true
  }
  // ECONNRESET, UND_ERR_SOCKET, …; Node's own ERR_* codes name programming errors.
  return /^(E[A-Z]+|UND_ERR_\w+)$/.test(String((error as NodeJS.ErrnoException).code))
}
