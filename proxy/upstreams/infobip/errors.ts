/**
 * What an Infobip call can fail with. The upstream's own code (legacy `errorCode` such as 40002,
 * or `requestError.serviceException.messageId`) is kept so the enrolment logic can map it and the
 * operator can read it; the raw body never reaches a person.
 */

export class InfobipHttpError extends Error {
  override name = 'InfobipHttpError' as const
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly upstreamCode: string | undefined,
    readonly upstreamMessage: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`Infobip answered ${status}${upstreamCode ? ` (${upstreamCode})` : ''}: ${method} ${path}`)
  }

  /** Worth trying again later: the upstream is overloaded or broken, not refusing the data. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 408
  }
}

export class InfobipNetworkError extends Error {
  override name = 'InfobipNetworkError' as const
  readonly transient = true
  constructor(
    readonly method: string,
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`Infobip could not be reached (${networkCause(options.cause)}): ${method} ${path}`, options)
  }
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

export type InfobipError = InfobipHttpError | InfobipNetworkError

export function isInfobipError(error: unknown): error is InfobipError {
  return error instanceof InfobipHttpError || error instanceof InfobipNetworkError
}

/** Pulls the code and text out of any of Infobip's error envelopes. */
export function parseInfobipErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) {
    return {}
  }
  const record = body as Record<string, unknown>
  if ('errorCode' in record) {
    return { code: String(record.errorCode), message: stringOrUndefined(record.errorMessage) }
  }
  const service = (record.requestError as { serviceException?: Record<string, unknown> } | undefined)?.serviceException
  if (service) {
    return { code: stringOrUndefined(service.messageId), message: stringOrUndefined(service.text) }
  }
  if ('title' in record && 'status' in record) {
    return { code: String(record.status), message: stringOrUndefined(record.detail) }
  }
  return {}
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
