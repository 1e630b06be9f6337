import { randomUUID } from 'node:crypto'
import type { SubmissionStatus, SubmissionValues } from '../../widget/definition'
import { UpstreamError, ValidationError } from '../errors'
import type { ResolvedForm } from '../forms/registry'
import type { Logger } from '../log'
import type { DeliveryTarget, Outbox } from '../outbox/outbox'
import { toPersonData } from '../people/person'
import { contactSaved, rapidproPayload } from '../rapidpro/deliver'
import type { Deliverer, FlowPayload, FormDataPayload } from './deliver'
import { fieldErrors, type SubmissionBody, valuesSchema } from './schema'
import { settle } from './settle'

export interface SubmitDeps {
  outbox: Outbox
  deliverer: Deliverer
  log: Logger
  /** How long a request may wait for upstreams before the person is told "queued". */
  waitMs: number
  /** RapidPro is configured: forms with a `rapidpro` block also write a contact. */
  rapidproEnabled?: boolean
}

export interface SubmitContext {
  /** The page's host, for Infobip's "Analytics by Source". */
  source?: string | undefined
}

/** Values as the upstreams want them: checkbox "true"/"false" strings become booleans. */
function normalise(form: ResolvedForm, values: Record<string, unknown>): SubmissionValues {
  const result: SubmissionValues = {}
  for (const field of form.definition.fields) {
    const value = values[field.name]
    if (value === undefined) {
      continue
    }
    result[field.name] = field.type === 'checkbox' && typeof value === 'string' ? value === 'true' : (value as SubmissionValues[string])
  }
  return result
}

/**
 * Validates a submission, records its deliveries durably, then tries them at once. What the person
 * is told follows from the flow's outcome; anything unfinished stays in the outbox for the worker.
 */
export async function submit(
  deps: SubmitDeps,
  form: ResolvedForm,
  body: SubmissionBody,
  context: SubmitContext,
): Promise<SubmissionStatus> {
  const parsed = valuesSchema(form.definition.fields).safeParse(body.values)
  if (!parsed.success) {
    throw new ValidationError(fieldErrors(parsed.error))
  }
  const values = normalise(form, parsed.data)
  const items: { target: DeliveryTarget; payload: Record<string, unknown> }[] = []
  if (form.config.infobipFormId) {
    const payload: FormDataPayload = {
      infobipFormId: form.config.infobipFormId,
      data: values,
      fieldIds: form.definition.fields.map((f) => f.name),
      source: context.source,
      campaign: body.context?.campaign,
    }
    items.push({ target: 'form-data', payload: { ...payload } })
  }
  if (form.config.flow) {
    const payload: FlowPayload = {
      flow: form.config.flow,
      personData: toPersonData(values, form.personFields, form.config.tags),
    }
    items.push({ target: 'flow', payload: { ...payload } })
  }
  // After the flow, so that RapidPro adds at most one round trip once the flow has answered.
  if (form.config.rapidpro && deps.rapidproEnabled) {
    items.push({ target: 'rapidpro', payload: { ...rapidproPayload(values, form) } })
  }
  // The flow decides what the person is told; a form without one answers from RapidPro.
  const decider: DeliveryTarget = form.config.flow ? 'flow' : 'rapidpro'
  const submissionId = randomUUID()
  const deliveries = deps.outbox.add(submissionId, form.config.id, items)
  let status: SubmissionStatus = 'enrolled'
  let queued = false
  for (const [index, delivery] of deliveries.entries()) {
    const outcome = await deps.deliverer.deliver(delivery, { waitMs: deps.waitMs })
    settle(deps.outbox, delivery, outcome, deps.log)
    if (outcome.kind === 'invalid') {
      deps.outbox.reject(
        deliveries.slice(index + 1).map((d) => d.id),
        'values refused upstream',
      )
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
