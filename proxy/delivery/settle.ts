import type { DeliveryOutcome } from './outcome'
import type { Logger } from '../log'
import type { Delivery, Outbox } from './outbox'

export const MAX_ATTEMPTS = 25
const REPORT_POLL_MS = 5_000

/** Exponential backoff with jitter, from 2 s up to 10 min; an upstream's Retry-After wins when longer. */
export function backoffMs(attempts: number, retryAfterSeconds?: number, random = Math.random): number {
  const base = Math.min(600_000, 2_000 * 2 ** Math.min(attempts, 12))
  const jittered = base / 2 + random() * (base / 2)
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000)
}

/**
 * Records what an attempt came to, so the worker knows what is left to do. `personWaiting`: the
 * person is still waiting for the answer and will be asked to correct invalid values; otherwise
 * (the worker, or a request that already answered "queued") invalid values are kept for the operator.
 */
export function settle(
  outbox: Outbox,
  delivery: Delivery,
  outcome: DeliveryOutcome,
  log: Logger,
  options: { personWaiting?: boolean; now?: number } = {},
): void {
  const where = { delivery: delivery.id, form: delivery.formId, target: delivery.target }
  if (!record(outbox, delivery, outcome, log, options)) {
    // Stopped by the operator (an erasure, from the CLI) while this attempt was out: the outbox
    // keeps it stopped, but what the attempt sent may now be upstream.
    log.warn(
      { ...where, outcome: outcome.kind },
      'delivery settled after the operator stopped it; repeat the erasure to remove what it sent upstream',
    )
  }
}

/** Writes the outcome to the outbox; false when the delivery was no longer the worker's to settle. */
function record(
  outbox: Outbox,
  delivery: Delivery,
  outcome: DeliveryOutcome,
  log: Logger,
  options: { personWaiting?: boolean; now?: number },
): boolean {
  const now = options.now ?? Date.now()
  const where = { delivery: delivery.id, form: delivery.formId, target: delivery.target }
  switch (outcome.kind) {
    case 'done':
      return outbox.complete(delivery.id, outcome.status)
    case 'awaiting':
      return outbox.await(delivery.id, outcome.state, now + REPORT_POLL_MS)
    case 'retry':
      if (outcome.free) {
        return outbox.retryLater(delivery.id, outcome.reason, now + backoffMs(0, outcome.retryAfterSeconds), false)
      }
      if (delivery.attempts + 1 >= MAX_ATTEMPTS) {
        log.error(
          { ...where, reason: outcome.reason },
          'delivery gave up after too many attempts; kept for the operator',
        )
        return outbox.fail(delivery.id, outcome.reason)
      }
      log.warn({ ...where, attempts: delivery.attempts + 1, reason: outcome.reason }, 'delivery will be retried')
      return outbox.retryLater(
        delivery.id,
        outcome.reason,
        now + backoffMs(delivery.attempts, outcome.retryAfterSeconds),
      )
    case 'invalid':
      if (options.personWaiting) {
        return outbox.reject([delivery.id], 'invalid values') > 0
      }
      log.error(
        { ...where, fields: Object.keys(outcome.fields) },
        'upstream refused the values after the person was answered; kept for the operator',
      )
      return outbox.fail(delivery.id, `invalid values: ${Object.keys(outcome.fields).join(', ')}`)
    case 'failed':
      log.error(
        {
          ...where,
          upstream: outcome.upstream,
          status: outcome.status,
          upstreamCode: outcome.upstreamCode,
          reason: outcome.reason,
          hint: hintFor(outcome.upstream, outcome.status, outcome.upstreamCode),
        },
        'delivery failed; the operator must act (kept in the outbox)',
      )
      return outbox.fail(delivery.id, `${outcome.upstreamCode ?? outcome.status ?? ''} ${outcome.reason}`.trim())
  }
}

/** What the operator most likely has to do, for the failures that have one obvious cause. */
export function hintFor(upstream: string, status?: number, code?: string): string | undefined {
  const rapidpro = upstream.startsWith('rapidpro')
  if (status === 401) {
    return rapidpro
      ? 'check RAPIDPRO_TOKEN'
      : 'check the Infobip credentials (INFOBIP_API_KEY, or INFOBIP_USERNAME and INFOBIP_PASSWORD, …)'
  }
  if (status === 403) {
    return rapidpro
      ? 'the RapidPro token lacks a permission'
      : 'the Infobip key lacks a scope for this API (e.g. flow:manage, forms:use)'
  }
  switch (code) {
    case '40005':
      return 'activate the flow in Infobip'
    case '40401':
      return "check the form's flow.campaignId: Infobip has no active flow with that id"
    case 'REJECTED_ATTRIBUTE_MISSED':
      return 'create the custom attributes this form sends in Infobip People first'
    case 'REJECTED_NOT_ENOUGH_CREDITS':
      return 'top up the Infobip account'
    default:
      return undefined
  }
}
