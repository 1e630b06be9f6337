import type { ErrorBody } from '../../contract/definition'
import type { Logger } from '../log'
import { type FlowformError, isFlowformError, RateLimitError, UpstreamError, ValidationError } from './errors'

/** The one place where failures become HTTP answers. Unknown errors are logged and never shown. */
export function errorResponse(error: unknown, log: Logger, headers: Headers = new Headers()): Response {
  headers.set('content-type', 'application/json; charset=utf-8')
  headers.set('cache-control', 'no-store')
  if (!isFlowformError(error)) {
    log.error({ err: error }, 'unexpected error')
    return new Response(
      JSON.stringify(body('internal_error', 'Something went wrong on our side. Please try again later.')),
      { status: 500, headers },
    )
  }
  if (error instanceof UpstreamError) {
    log.warn({ upstream: error.detail }, 'upstream failure')
  }
  if (error instanceof RateLimitError) {
    headers.set('retry-after', String(error.retryAfterSeconds))
  }
  return new Response(JSON.stringify(toBody(error)), { status: error.status, headers })
}

function toBody(error: FlowformError): ErrorBody {
  const result = body(error.code, error.message)
  if (error instanceof ValidationError) {
    result.error.fields = error.fields
  }
  return result
}

function body(code: string, message: string): ErrorBody {
  return { error: { code, message } }
}
