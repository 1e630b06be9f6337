import type { ErrorHandler, NotFoundHandler } from 'hono'
import type { ErrorBody } from '../../contract/definition'
import type { Logger } from '../common/log'
import {
  type FlowformError,
  isFlowformError,
  NotFoundError,
  RateLimitError,
  UpstreamError,
  ValidationError,
} from '../common/errors'

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

/** The app's one `onError`: every thrown failure becomes its answer here. */
export function onError(log: Logger): ErrorHandler {
  return function onError(error, c) {
    const response = errorResponse(error, log)
    // What the middleware set before the failure (RateLimit-*, CORS, Vary) belongs on the error
    // answer too: hono keeps those headers for the answer the context builds, not for this one.
    c.res.headers.forEach((value, name) => {
      if (name !== 'content-type' && name !== 'content-length' && !response.headers.has(name)) {
        response.headers.set(name, value)
      }
    })
    // A shop whose origin is refused, or that names a form that does not exist, must be able to
    // read why: the answer carries no data, only the error, so it is readable from any origin.
    const origin = c.req.header('origin')
    if (origin && c.req.path.startsWith('/v1/forms/') && !response.headers.has('access-control-allow-origin')) {
      response.headers.set('access-control-allow-origin', origin)
      response.headers.append('vary', 'origin')
    }
    return response
  }
}

/** The app's `notFound`: the same JSON error shape as every other failure. */
export function notFound(log: Logger): NotFoundHandler {
  return function notFound() {
    return errorResponse(new NotFoundError('Not found.'), log)
  }
}
