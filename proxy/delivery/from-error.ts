import { LimiterBusyError } from '../upstreams/infobip/account-limiter'
import { InfobipHttpError, isInfobipError } from '../upstreams/infobip/errors'
import type { DeliveryOutcome } from './outcome'

/** The outcome of an Infobip failure that no enrolment-specific rule claimed. */
export function outcomeFromError(upstream: string, error: unknown): DeliveryOutcome {
  if (error instanceof LimiterBusyError) {
    return { kind: 'retry', reason: error.message, retryAfterSeconds: Math.ceil(error.waitMs / 1000), free: true }
  }
  if (isInfobipError(error) && error.transient) {
    return {
      kind: 'retry',
      reason: error.message,
      retryAfterSeconds: error instanceof InfobipHttpError ? error.retryAfterSeconds : undefined,
    }
  }
  if (error instanceof InfobipHttpError) {
    return {
      kind: 'failed',
      upstream,
      status: error.status,
      upstreamCode: error.upstreamCode,
      reason: error.upstreamMessage ?? error.message,
    }
  }
  // Not an Infobip answer at all (a bug, a bad body): keep the data and let the worker try again.
  return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) }
}
