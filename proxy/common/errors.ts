/**
 * The few failures the proxy answers with, each mapped to HTTP in `error-response.ts`.
 * A message on these classes is shown to the person or the shop's developer: it must never hold a
 * secret or an upstream's raw answer. Details meant for the operator go in `detail` and the log.
 */

export abstract class FlowformError extends Error {
  abstract readonly status: 400 | 403 | 404 | 413 | 415 | 422 | 429 | 502 | 503
  abstract readonly code: string
}

export class BadRequestError extends FlowformError {
  override name = 'BadRequestError' as const
  readonly status = 400
  readonly code = 'bad_request'
}

export class OriginError extends FlowformError {
  override name = 'OriginError' as const
  readonly status = 403
  readonly code = 'origin_not_allowed'
}

export class NotFoundError extends FlowformError {
  override name = 'NotFoundError' as const
  readonly status = 404
  constructor(
    message: string,
    readonly code: 'form_not_found' | 'not_found' = 'not_found',
  ) {
    super(message)
  }
}

export class PayloadTooLargeError extends FlowformError {
  override name = 'PayloadTooLargeError' as const
  readonly status = 413
  readonly code = 'payload_too_large'
}

export class UnsupportedMediaTypeError extends FlowformError {
  override name = 'UnsupportedMediaTypeError' as const
  readonly status = 415
  readonly code = 'unsupported_media_type'
}

/** Values a person can fix: the message per field is safe to show next to that field. */
export class ValidationError extends FlowformError {
  override name = 'ValidationError' as const
  readonly status = 422
  readonly code = 'invalid_values'
  constructor(
    readonly fields: Record<string, string[]>,
    message = 'Some values are not valid.',
  ) {
    super(message)
  }
}

export class RateLimitError extends FlowformError {
  override name = 'RateLimitError' as const
  readonly status = 429
  readonly code = 'rate_limited'
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests, please try again in a moment.',
  ) {
    super(message)
  }
}

/**
 * An upstream refused or failed in a way the person cannot fix (flow inactive, credentials wrong,
 * upstream down). The person sees a calm "try again later"; the operator gets `detail` in the log.
 */
export class UpstreamError extends FlowformError {
  override name = 'UpstreamError' as const
  readonly status = 503
  readonly code = 'upstream_unavailable'
  constructor(
    readonly detail: {
      upstream: string
      status?: number | undefined
      upstreamCode?: string | number | undefined
      reason: string
    },
    message = 'We could not complete your signup right now. Please try again later.',
  ) {
    super(message)
  }
}

export function isFlowformError(error: unknown): error is FlowformError {
  return error instanceof FlowformError
}
