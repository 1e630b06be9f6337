import type { SubmissionValues } from '../../contract/definition'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { DeliveryTarget, PlannedDelivery, RapidproPayload } from '../delivery/payloads'
import type { ResolvedForm } from '../forms/registry'
import type { ConsentEvidence } from './consent-record'
import { withConsent } from './consent-upstream'
import { toRapidproContact } from '../upstreams/rapidpro/contact'
import { toPersonData } from './person'

/** Where one signup goes, in the order it is delivered, and whose answer the person hears. */
export interface DeliveryPlan {
  deliveries: PlannedDelivery[]
  /** The flow decides what the person is told; without one, RapidPro; else the Infobip form data. */
  decider: DeliveryTarget
  /** A flow or a contact needs someone to reach, and the values name neither an email nor a phone. */
  unreachable: boolean
}

export interface PlanOptions {
  /** RapidPro is configured: forms with a `rapidpro` block also write a contact. */
  rapidproEnabled: boolean
  /** The page's host, for Infobip's "Analytics by Source". */
  source?: string | undefined
  campaign?: string | undefined
  /** What the person agreed to: sent where the form's `consent` block says (signup/consent-upstream.ts). */
  consent?: ConsentEvidence | null | undefined
  /** Told about a value left out of a delivery (a preferred language RapidPro would refuse). */
  warn?: ((message: string) => void) | undefined
}

/** From a resolved form and its validated values to the typed payloads of its deliveries. */
export function planDeliveries(form: ResolvedForm, values: SubmissionValues, options: PlanOptions): DeliveryPlan {
  const { flow, infobipFormId } = form.config
  const rapidpro = Boolean(form.config.rapidpro && options.rapidproEnabled)
  const personData = toPersonData(values, form.personFields, form.config.tags)
  const deliveries: PlannedDelivery[] = []
  if (infobipFormId) {
    deliveries.push({
      target: 'form-data',
      payload: {
        infobipFormId,
        data: formDataValues(form, values),
        fieldIds: form.definition.fields.map((f) => f.name),
        ...(options.source !== undefined ? { source: options.source } : {}),
        ...(options.campaign !== undefined ? { campaign: options.campaign } : {}),
      },
    })
  }
  if (flow) {
    deliveries.push({ target: 'flow', payload: { flow, personData } })
  }
  // After the flow, so that RapidPro adds at most one round trip once the flow has answered.
  if (rapidpro) {
    deliveries.push({ target: 'rapidpro', payload: rapidproPayload(values, form, options.warn) })
  }
  return {
    deliveries: withConsent(deliveries, form.config.consent, options.consent),
    decider: flow ? 'flow' : rapidpro ? 'rapidpro' : 'form-data',
    unreachable: Boolean(flow || rapidpro) && !personData.email && !personData.phone,
  }
}

export function rapidproPayload(
  values: SubmissionValues,
  form: ResolvedForm,
  warn?: (message: string) => void,
): RapidproPayload {
  const config = form.config.rapidpro ?? {}
  const contact = toRapidproContact(values, form.personFields, config, {
    defaultCountry: form.config.defaultCountry,
    fieldTypes: Object.fromEntries(form.definition.fields.map((field) => [field.name, field.type])),
    ...(warn ? { warn } : {}),
  })
  return { contact, decides: !form.config.flow }
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
