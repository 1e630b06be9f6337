import type { DeliveryOutcome } from './outcome'
import type { Logger } from '../common/log'
import type { Metrics } from '../common/metrics'
import type { Delivery } from './payloads'
import type { DeliveryQueue } from './queue'
import { backoffMs, hintFor, MAX_ATTEMPTS, REPORT_POLL_MS } from './retry-policy'

/**
 * Records what an attempt came to, so the worker knows what is left to do. `personWaiting`: the
 * person is still waiting for the answer and will be asked to correct invalid values; otherwise
 * (the worker, or a request that already answered "queued") invalid values are kept for the operator.
 */
export async function settle(
  outbox: DeliveryQueue,
  delivery: Delivery,
  outcome: DeliveryOutcome,
  log: Logger,
  options: { personWaiting?: boolean; now?: number; metrics?: Metrics } = {},
): Promise<void> {
  const where = { delivery: delivery.id, form: delivery.formId, target: delivery.target }
  const applied = await record(outbox, delivery, outcome, log, options)
  if (applied && options.metrics) {
    count(options.metrics, delivery, outcome, options.personWaiting === true)
  }
  if (!applied) {
    // Stopped by the operator (an erasure, from the CLI) while this attempt was out: the outbox
    // keeps it stopped, but what the attempt sent may now be upstream.
    log.warn(
      { ...where, outcome: outcome.kind },
      'delivery settled after the operator stopped it; repeat the erasure to remove what it sent upstream',
    )
  }
}

/** Delivered and failed deliveries, per form and target (GET /metrics). */
function count(metrics: Metrics, delivery: Delivery, outcome: DeliveryOutcome, personWaiting: boolean): void {
  const labels = { form: delivery.formId, target: delivery.target }
  if (outcome.kind === 'done') {
    metrics.delivered.inc(labels)
  } else if (
    outcome.kind === 'failed' ||
    (outcome.kind === 'invalid' && !personWaiting) ||
    (outcome.kind === 'retry' && !outcome.free && delivery.attempts + 1 >= MAX_ATTEMPTS)
  ) {
    metrics.failed.inc(labels)
  }
}

/** Writes the outcome to the outbox; false when the delivery was no longer the worker's to settle. */
async function record(
  outbox: DeliveryQueue,
  delivery: Delivery,
  outcome: DeliveryOutcome,
  log: Logger,
  options: { personWaiting?: boolean; now?: number },
): Promise<boolean> {
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
      // An unavailable upstream is its breaker's to report, once per change of state
      // (upstream-health.ts): during an outage, not one line per delivery.
      log[outcome.unavailable ? 'debug' : 'warn'](
        { ...where, attempts: delivery.attempts + 1, reason: outcome.reason },
        'delivery will be retried',
      )
      return outbox.retryLater(
        delivery.id,
        outcome.reason,
        now + backoffMs(delivery.attempts, outcome.retryAfterSeconds),
      )
    case 'invalid':
      if (options.personWaiting) {
        return (await outbox.reject([delivery.id], 'invalid values')) > 0
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
