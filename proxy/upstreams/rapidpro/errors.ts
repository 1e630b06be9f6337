/**
 * What a RapidPro call can fail with. RapidPro is a Django REST Framework API, so a refusal carries
 * a DRF error body (`{"<field>": ["message"]}`, `{"urns": {"0": ["message"]}}`, `{"detail": "…"}`),
 * kept here parsed so that the delivery logic can map it and the operator can read it.
 */

import { UpstreamHttpError, UpstreamNetworkError } from '../errors'

/** One message out of a DRF error body. `field` is null for `detail` and `non_field_errors`. */
export interface RapidproIssue {
  field: string | null
  /** The list position the message is about (`{"urns": {"0": [...]}}`). */
  index?: number
  message: string
}

/**
 * RapidPro's answers to a token it does not know. Its first authentication class is Django's
 * session one, which has no WWW-Authenticate, so DRF answers them 403, not 401
 * (temba/api/v2/tests/test_base.py): told apart from a missing permission by the message alone.
 */
const TOKEN_REFUSALS = new Set([
  'Invalid token',
  'Invalid token or email',
  'Authentication credentials were not provided.',
  // Older DRF wording, still answered by servers that predate temba's own authentication classes.
  'Invalid token.',
])

/** `upstreamCode` of a refused token, whatever the status (401 or 403) it came with. */
export const RAPIDPRO_INVALID_TOKEN = 'INVALID_TOKEN'

export class RapidproHttpError extends UpstreamHttpError {
  override name = 'RapidproHttpError' as const
  readonly issues: RapidproIssue[]
  constructor(
    method: string,
    path: string,
    status: number,
    /** The error body as RapidPro sent it (JSON), or undefined when it was not JSON. */
    readonly body: unknown,
    retryAfterSeconds: number | undefined,
  ) {
    const issues = parseDrfErrors(body)
    const tokenRefused =
      (status === 401 || status === 403) && issues.some((i) => i.field === null && TOKEN_REFUSALS.has(i.message))
    super('rapidpro', method, path, status, tokenRefused ? RAPIDPRO_INVALID_TOKEN : undefined, oneLine(issues), {
      retryAfterSeconds,
    })
    this.issues = issues
  }
}

/** Every message in one line, for the operator's log. */
function oneLine(issues: RapidproIssue[]): string | undefined {
  if (issues.length === 0) {
    return undefined
  }
  return issues
    .map((i) =>
      i.field === null ? i.message : `${i.field}${i.index === undefined ? '' : `[${i.index}]`}: ${i.message}`,
    )
    .join('; ')
}

export class RapidproNetworkError extends UpstreamNetworkError {
  override name = 'RapidproNetworkError' as const
  constructor(method: string, path: string, options: { cause: unknown }) {
    super('rapidpro', method, path, options)
  }
}

/**
 * RapidPro said yes, but with a body that is not what its API documents (a wrong base URL, an
 * incompatible server version). Asking again gets the same answer, so it is not transient: the
 * operator must look. Like Infobip's, its upstreamCode is `UNEXPECTED_BODY`.
 */
export class RapidproResponseError extends UpstreamHttpError {
  override name = 'RapidproResponseError' as const
  constructor(
    method: string,
    path: string,
    status: number,
    readonly problem: string,
  ) {
    super('rapidpro', method, path, status, 'UNEXPECTED_BODY', problem, {
      message: `RapidPro answered ${status} with an unexpected body: ${method} ${path}: ${problem}`,
    })
  }
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

/** ContactWriteSerializer.validate: a contact deleted since it was saved cannot be written to. */
export const DELETED_CONTACT_MESSAGE = "Deleted contacts can't be modified."

export function isDeletedContactError(error: unknown): boolean {
  return (
    error instanceof RapidproHttpError &&
    error.status === 400 &&
    error.issues.some((i) => i.field === null && i.message === DELETED_CONTACT_MESSAGE)
  )
}
