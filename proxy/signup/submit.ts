import { randomUUID } from 'node:crypto'
import type { SubmissionStatus, SubmissionValues } from '../../contract/definition'
import { createTranslate } from '../../contract/texts'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import { errorText } from '../../contract/error-text'
import { UpstreamError, ValidationError } from '../http/errors'
import type { ResolvedForm } from '../forms/registry'
import type { Logger } from '../log'
import type { DeliveryOutcome } from '../delivery/outcome'
import { formTexts, resolveLocale } from '../forms/localise'
import type { Delivery, DeliveryTarget, Outbox } from '../delivery/outbox'
import { toPersonData } from './person'
import { contactSaved, rapidproPayload } from '../delivery/targets/rapidpro'
import type { Deliverer, FlowPayload, FormDataPayload } from '../delivery/dispatch'
import { fieldErrors, type SubmissionBody, valuesSchema } from './schema'
import { settle } from '../delivery/settle'

export interface SubmitDeps {
  outbox: Outbox
  deliverer: Deliverer
  log: Logger
  /** How long a request may wait for upstreams before the person is told "queued". */
  waitMs: number
  /** RapidPro is configured: forms with a `rapidpro` block also write a contact. */
  rapidproEnabled?: boolean
  /** How long the person waits at most, all deliveries together; default `waitMs` + 5 s. */
  deadlineMs?: number
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
    result[field.name] =
      field.type === 'checkbox' && typeof value === 'string' ? value === 'true' : (value as SubmissionValues[string])
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
  // Messages in the language the form was shown in.
  const parsed = valuesSchema(form.definition.fields, body.context?.locale, form.config.texts).safeParse(body.values)
  if (!parsed.success) {
    throw new ValidationError(fieldErrors(parsed.error))
  }
  const values = normalise(form, parsed.data)
  const rapidpro = Boolean(form.config.rapidpro && deps.rapidproEnabled)
  const personData = toPersonData(values, form.personFields, form.config.tags)
  if ((form.config.flow || rapidpro) && !personData.email && !personData.phone) {
    // A flow or a contact needs someone to reach: ask for it instead of failing upstream.
    throw new ValidationError(identityMissing(form, body.context?.locale))
  }
  const items: { target: DeliveryTarget; payload: Record<string, unknown> }[] = []
  if (form.config.infobipFormId) {
    const payload: FormDataPayload = {
      infobipFormId: form.config.infobipFormId,
      data: formDataValues(form, values),
      fieldIds: form.definition.fields.map((f) => f.name),
      source: context.source,
      campaign: body.context?.campaign,
    }
    items.push({ target: 'form-data', payload: { ...payload } })
  }
  if (form.config.flow) {
    const payload: FlowPayload = { flow: form.config.flow, personData }
    items.push({ target: 'flow', payload: { ...payload } })
  }
  // After the flow, so that RapidPro adds at most one round trip once the flow has answered.
  if (rapidpro) {
    items.push({ target: 'rapidpro', payload: { ...rapidproPayload(values, form) } })
  }
  if (items.length === 0) {
    // The config refuses such forms at start; this guards against a signup vanishing quietly.
    throw new UpstreamError({ upstream: 'config', reason: `form "${form.config.id}" has nowhere to deliver signups` })
  }
  // The flow decides what the person is told; without one, RapidPro; else the Infobip form data.
  const decider: DeliveryTarget = form.config.flow ? 'flow' : rapidpro ? 'rapidpro' : 'form-data'
  const deliveries = deps.outbox.add(randomUUID(), form.config.id, items)
  const waiting = { person: true }
  const run = deliverInOrder(deps, deliveries, decider, waiting)
  // A slow upstream must not hold the person: past the deadline they hear "queued" and the
  // deliveries finish in the background, still marked in flight so the worker leaves them alone.
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
      settle(deps.outbox, delivery, outcome, deps.log, { personWaiting: waiting.person })
    } catch (error) {
      // A bug, not an upstream answer: the delivery stays due and the worker tries it again.
      deps.log.error({ err: error, delivery: delivery.id }, 'delivery crashed in the request; the worker will retry it')
      outcome = { kind: 'retry', reason: 'crashed' }
    } finally {
      deps.outbox.release(delivery.id)
    }
    if (outcome.kind === 'invalid' && waiting.person) {
      deps.outbox.rejectUnfinished(delivery.submissionId, 'values refused upstream')
      for (const rest of deliveries.slice(index + 1)) {
        deps.outbox.release(rest.id)
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

/**
 * Infobip's form data checks phones as digits and matches emails exactly, as other integrations
 * send them (digits only, lower case); the person may well have typed "+41 79 302 67 27".
 */
function formDataValues(form: ResolvedForm, values: SubmissionValues): SubmissionValues {
  const result: SubmissionValues = { ...values }
  for (const field of form.definition.fields) {
    const value = result[field.name]
    if (typeof value !== 'string' || value === '') {
      continue
    }
    if (field.type === 'tel') {
      result[field.name] = normalisePhone(value)
    } else if (field.type === 'email') {
      result[field.name] = normaliseEmail(value)
    }
  }
  return result
}

/** The field to ask for when a signup has neither an email nor a phone: email first. */
function identityMissing(form: ResolvedForm, locale: string | undefined): Record<string, string[]> {
  const byKey = (key: string) => form.definition.fields.find((f) => form.personFields[f.name] === key)
  const field = byKey('email') ?? byKey('phone')
  if (!field) {
    return { _form: ['This form cannot take signups right now.'] }
  }
  const t = createTranslate(formTexts(form.config.texts, resolveLocale(locale)))
  return { [field.name]: [errorText(field, 'required', t)] }
}
