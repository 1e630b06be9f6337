/**
 * What a RapidPro call can fail with. RapidPro is a Django REST Framework API, so a refusal carries
 * a DRF error body (`{"<field>": ["message"]}`, `{"urns": {"0": ["message"]}}`, `{"detail": "…"}`),
 * kept here parsed so that the delivery logic can map it and the operator can read it.
 */

/** One message out of a DRF error body. `field` is null for `detail` and `non_field_errors`. */
export interface RapidproIssue {
  field: string | null
  /** The list position the message is about (`{"urns": {"0": [...]}}`). */
  index?: number
  message: string
}

export class RapidproHttpError extends Error {
  override name = 'RapidproHttpError' as const
  readonly issues: RapidproIssue[]
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The error body as RapidPro sent it (JSON), or undefined when it was not JSON. */
    readonly body: unknown,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`RapidPro answered ${status}: ${method} ${path}`)
    this.issues = parseDrfErrors(body)
  }

  /** Worth trying again later: RapidPro is overloaded or broken, not refusing the data. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 408
  }

  /** Every message in one line, for the operator's log. */
  get upstreamMessage(): string | undefined {
    if (this.issues.length === 0) {
      return undefined
    }
    return this.issues
      .map((i) =>
        i.field === null ? i.message : `${i.field}${i.index === undefined ? '' : `[${i.index}]`}: ${i.message}`,
      )
      .join('; ')
  }
}

export class RapidproNetworkError extends Error {
  override name = 'RapidproNetworkError' as const
  readonly transient = true
  constructor(
    readonly method: string,
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`RapidPro could not be reached: ${method} ${path}`, options)
  }
}

/** RapidPro said yes, but with a body that is not what its API documents. */
export class RapidproResponseError extends Error {
  override name = 'RapidproResponseError' as const
  readonly transient = false
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`RapidPro answered ${status} with an unexpected body: ${method} ${path}: ${problem}`)
  }
}

export type RapidproError = RapidproHttpError | RapidproNetworkError | RapidproResponseError

export function isRapidproError(error: unknown): error is RapidproError {
  return (
    error instanceof RapidproHttpError ||
    error instanceof RapidproNetworkError ||
    error instanceof RapidproResponseError
  )
}

/** Flattens any DRF error body into a list of messages. */
export function parseDrfErrors(body: unknown): RapidproIssue[] {
  if (typeof body === 'string' && body.trim() !== '') {
    return [{ field: null, message: body.trim() }]
  }
  if (typeof body !== 'object' || body === null) {
    return []
  }
  if (Array.isArray(body)) {
    return body.filter((m): m is string => typeof m === 'string').map((message) => ({ field: null, message }))
  }
  const issues: RapidproIssue[] = []
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const field = key === 'detail' || key === 'non_field_errors' ? null : key
    collect(issues, field, undefined, value)
  }
  return issues
}

function collect(issues: RapidproIssue[], field: string | null, index: number | undefined, value: unknown): void {
  if (typeof value === 'string') {
    issues.push({ field, ...(index === undefined ? {} : { index }), message: value })
  } else if (Array.isArray(value)) {
    for (const item of value) {
      collect(issues, field, index, item)
    }
  } else if (typeof value === 'object' && value !== null) {
    // Per-item errors of a list field: {"0": ["…"]}; nested objects of a dict field use their key.
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const position = /^\d+$/.test(key) ? Number(key) : undefined
      collect(
        issues,
        position === undefined ? `${field ?? ''}${field ? '.' : ''}${key}` : field,
        position ?? index,
        inner,
      )
    }
  }
}
