import { isTransientStatus, isUpstreamCallError, UpstreamHttpError, UpstreamNetworkError } from '../upstreams/errors'
import type { DeliveryOutcome } from './outcome'

/**
 * The outcome of an upstream failure that no target-specific rule claimed. `transient` alone
 * decides retry against fail; `upstream` names the target in the operator's log.
 */
export function outcomeFromError(upstream: string, error: unknown): DeliveryOutcome {
  if (isUpstreamCallError(error) && error.transient) {
    return {
      kind: 'retry',
      reason: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      ...(error.heldBack ? { free: true } : {}),
      ...(isUnavailability(error) ? { unavailable: true } : {}),
    }
  }
  if (error instanceof UpstreamHttpError) {
    return {
      kind: 'failed',
      upstream,
      status: error.status,
      upstreamCode: error.upstreamCode,
      reason: error.upstreamMessage ?? error.message,
    }
  }
  // Not an upstream's answer at all (a bug): keep the data and let the worker try again.
  return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) }
}

/**
 * The upstream itself was unavailable: unreachable, timed out, or it answered 5xx, 429 or 408.
 * What counts toward its circuit breaker (upstream-health.ts); a refusal of a batch for another
 * participant's value, our own limiter's hold-back or an unexpected body does not.
 */
export function isUnavailability(error: unknown): boolean {
  if (error instanceof UpstreamNetworkError) {
    return true
  }
  return error instanceof UpstreamHttpError && !error.heldBack && isTransientStatus(error.status)
}
