import { randomUUID } from 'node:crypto'
import type { SubmissionStatus } from '../../contract/definition'
import { type BotGate, droppedStatus } from './bots/gate'
import { confirmationOf } from '../config/schema'
import type { Deliverer } from '../delivery/dispatch'
import type { DeliveryOutcome } from '../delivery/outcome'
import type { Delivery, DeliveryTarget } from '../delivery/payloads'
import type { DeliveryQueue } from '../delivery/queue'
import { settle } from '../delivery/settle'
import { contactSaved } from '../delivery/targets/rapidpro'
import type { ResolvedForm } from '../forms/registry'
import { UpstreamError, ValidationError } from '../common/errors'
import type { Logger } from '../common/log'
import type { Metrics } from '../common/metrics'
import { consentEvidence } from './consent-record'
import { planDeliveries } from './plan'
import type { SubmissionBody } from './schema'
import { identityMissing, validateValues } from './validate'

export interface SubmitDeps {
  outbox: DeliveryQueue
  /** How a submission's deliveries are written (delivery/group-commit.ts); default `outbox.add`. */
  store?: Pick<DeliveryQueue, 'add'>
  deliverer: Deliverer
  log: Logger
  /** How long a request may wait for upstreams before the person is told "queued". */
  waitMs: number
  /**
   * false: an instant signup is stored for the workers (due now, held by nobody) instead of being
   * delivered by this request, so that any instance's worker claims it with others (PostgreSQL).
   */
  deliverOnAccept?: boolean
  /** RapidPro is configured: forms with a `rapidpro` block also write a contact. */
  rapidproEnabled?: boolean
  /** How long the person waits at most, all deliveries together; default `waitMs` + 5 s. */
  deadlineMs?: number
  /** Bot checks (proxy/signup/bots); absent: none. */
  bots?: BotGate
  /** Server time for consent records (tests); default Date.now. */
  now?: () => number
  /** Counts signups accepted and dropped, deliveries delivered and failed (GET /metrics). */
  metrics?: Metrics
}

export interface SubmitContext {
  /** The page's host, for Infobip's "Analytics by Source". */
  source?: string | undefined
  /** The client's address, passed to a challenge provider's verification. */
  clientAddress?: string | undefined
  /** The request's Origin: the consent record's page when the body names none. */
  origin?: string | undefined
}

/**
 * One signup, top-down: validate the values, plan its deliveries, store them durably, then try
 * them at once: in the background after answering "queued" (`confirmation: "instant"`), or
 * within the request's deadline (`"flow"`). What the person is told follows from the deciding
 * delivery's outcome; anything unfinished stays in the outbox for the worker.
 */
export async function submit(
  deps: SubmitDeps,
  form: ResolvedForm,
  body: SubmissionBody,
  context: SubmitContext,
): Promise<SubmissionStatus> {
  const values = validateValues(form, body)
  // After the values: a person with a typo hears so; a bot's drop is answered like a success.
  if ((await deps.bots?.admit(form, body, values, context.clientAddress)) === 'drop') {
    deps.metrics?.signupsDropped.inc({ form: form.config.id })
    return droppedStatus(form.config)
  }
  const { locale, page, campaign } = body.context ?? {}
  const consent = consentEvidence(form, values, { locale, page, origin: context.origin, now: (deps.now ?? Date.now)() })
  const plan = planDeliveries(form, values, {
    rapidproEnabled: deps.rapidproEnabled ?? false,
    source: context.source,
    campaign,
    consent,
    warn: (message) => deps.log.warn({ form: form.config.id }, message),
  })
  if (plan.unreachable) {
    // Ask for someone to reach instead of failing upstream.
    throw identityMissing(form, body.context?.locale)
  }
  if (plan.deliveries.length === 0) {
    // The config refuses such forms at start; this guards against a signup vanishing quietly.
    throw new UpstreamError({ upstream: 'config', reason: `form "${form.config.id}" has nowhere to deliver signups` })
  }
  const instant = confirmationOf(form.config) === 'instant'
  const toWorkers = instant && deps.deliverOnAccept === false
  const deliveries = await (deps.store ?? deps.outbox).add(
    randomUUID(),
    form.config.id,
    plan.deliveries,
    toWorkers ? 0 : undefined,
    consent,
  )
  deps.metrics?.signupsAccepted.inc({ form: form.config.id })
  if (toWorkers) {
    return 'queued'
  }
  if (instant) {
    // Stored durably (the outbox syncs every commit): the person hears "queued" now, whoever they
    // are, and the deliveries are tried at once as after a passed deadline (errors kept for the operator).
    deliverInOrder(deps, deliveries, plan.decider, { person: false }).catch(() => {})
    return 'queued'
  }
  const waiting = { person: true }
  const run = deliverInOrder(deps, deliveries, plan.decider, waiting)
  // A slow upstream must not hold the person: past the deadline (FLOWFORM_FLOW_DEADLINE_MS) they
  // hear "queued" and the deliveries finish in the background, still marked in flight so the
  // worker leaves them alone. An upstream known to be down (its circuit breaker is open) is not
  // waited for at all: the deliverer parks its deliveries at once (delivery/upstream-health.ts).
  const deadline = deps.deadlineMs ?? deps.waitMs + DEADLINE_SLACK_MS
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadline)
  })
  try {
    const result = await Promise.race([run, late])
    if (result === 'late') {
      waiting.person = false
      run.catch(() => {})
      deps.log.warn(
        { form: form.config.id, deadlineMs: deadline },
        'upstreams slower than the request deadline; answered queued',
      )
      return 'queued'
    }
    return result
  } finally {
    clearTimeout(timer)
  }
}

/** On top of the Moments wait, what the other deliveries of one submission may take in the request. */
const DEADLINE_SLACK_MS = 5_000

async function deliverInOrder(
  deps: SubmitDeps,
  deliveries: Delivery[],
  decider: DeliveryTarget,
  waiting: { person: boolean },
): Promise<SubmissionStatus> {
  let status: SubmissionStatus = 'enrolled'
  let queued = false
  for (const [index, delivery] of deliveries.entries()) {
    let outcome: DeliveryOutcome
    try {
      outcome = await deps.deliverer.deliver(delivery, { waitMs: deps.waitMs })
      await settle(deps.outbox, delivery, outcome, deps.log, {
        personWaiting: waiting.person,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      })
    } catch (error) {
      // A bug, not an upstream answer: the delivery stays due and the worker tries it again.
      deps.log.error({ err: error, delivery: delivery.id }, 'delivery crashed in the request; the worker will retry it')
      outcome = { kind: 'retry', reason: 'crashed' }
    } finally {
      await deps.outbox.release(delivery.id)
    }
    if (outcome.kind === 'invalid' && waiting.person) {
      await deps.outbox.rejectUnfinished(delivery.submissionId, 'values refused upstream')
      for (const rest of deliveries.slice(index + 1)) {
        await deps.outbox.release(rest.id)
      }
      throw new ValidationError(outcome.fields)
    }
    if (delivery.target !== decider) {
      if (delivery.target !== 'rapidpro') {
        queued ||= outcome.kind === 'retry' || outcome.kind === 'awaiting'
      }
      continue
    }
    if (outcome.kind === 'failed') {
      throw new UpstreamError({
        upstream: outcome.upstream,
        status: outcome.status,
        upstreamCode: outcome.upstreamCode,
        reason: outcome.reason,
      })
    }
    if (outcome.kind === 'done') {
      status = outcome.status
      queued = false
    } else if (contactSaved(outcome)) {
      // The contact is in RapidPro; its groups and extra URNs follow from the outbox.
      status = 'enrolled'
      queued = false
    } else {
      queued = true
    }
  }
  return queued ? 'queued' : status
}
