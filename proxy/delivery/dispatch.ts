import type { FlowConfig } from '../config/schema'
import { enrolLegacy } from './targets/legacy-flow'
import { enrolMoments, type MomentsGateway } from './targets/moments'
import type { DeliveryOutcome } from './outcome'
import { outcomeFromError } from './from-error'
import type { Delivery } from './outbox'
import type { PersonData } from '../signup/person'
import type { RapidproClient } from '../upstreams/rapidpro/client'
import { deliverToRapidpro } from './targets/rapidpro'
import type { InfobipClient } from '../upstreams/infobip/client'
import { InfobipHttpError } from '../upstreams/infobip/errors'

export interface FormDataPayload {
  infobipFormId: string
  data: Record<string, unknown>
  fieldIds: string[]
  source?: string | undefined
  campaign?: string | undefined
}

export interface FlowPayload {
  flow: FlowConfig
  personData: PersonData
}

export interface DeliverOptions {
  /** How long to wait for an upstream's final word (the request path's budget; 0 in the worker). */
  waitMs: number
  /** How long to wait for a batched call to be sent at all; default waitMs. */
  addWaitMs?: number
}

export interface Deliverer {
  deliver(delivery: Delivery, options: DeliverOptions): Promise<DeliveryOutcome>
}

/** Performs one attempt of one outbox delivery against its upstream. */
export function createDeliverer(deps: {
  infobip: InfobipClient
  moments: MomentsGateway
  /** null or absent: RapidPro is off, and a `rapidpro` delivery fails for the operator. */
  rapidpro?: RapidproClient | null
}): Deliverer {
  return {
    async deliver(delivery, { waitMs, addWaitMs }) {
      switch (delivery.target) {
        case 'form-data':
          return submitFormData(deps.infobip, delivery.payload as unknown as FormDataPayload)
        case 'flow': {
          const { flow, personData } = delivery.payload as unknown as FlowPayload
          if (flow.api === 'legacy') {
            return enrolLegacy(deps.infobip, flow, personData)
          }
          const { state } = delivery
          return enrolMoments(deps.moments, flow, personData, {
            waitMs,
            addWaitMs,
            operationId: typeof state.operationId === 'string' ? state.operationId : undefined,
            addedAt: typeof state.addedAt === 'number' ? state.addedAt : delivery.createdAt,
            // A retry while the first add is still queued joins it instead of sending the person twice.
            // After an operator's retry the earlier add is over: a new key makes a new add, not a
            // replay of the operation that failed (the server remembers answered adds a while).
            key:
              delivery.operatorRetries > 0
                ? `delivery:${delivery.id}:retry:${delivery.operatorRetries}`
                : `delivery:${delivery.id}`,
          })
        }
        case 'rapidpro':
          return deliverToRapidpro(deps.rapidpro ?? null, delivery, { waitMs })
        default:
          return { kind: 'failed', upstream: delivery.target, reason: `no deliverer for "${delivery.target}"` }
      }
    },
  }
}

async function submitFormData(infobip: InfobipClient, payload: FormDataPayload): Promise<DeliveryOutcome> {
  try {
    await infobip.submitFormData(payload.infobipFormId, payload.data, {
      source: payload.source,
      campaign: payload.campaign,
    })
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    if (error instanceof InfobipHttpError && error.status === 400 && error.upstreamMessage) {
      const fields = formDataFieldErrors(error.upstreamMessage, payload.fieldIds)
      if (fields) {
        return { kind: 'invalid', fields }
      }
    }
    return outcomeFromError('infobip-forms', error)
  }
}

/**
 * Infobip names the failing field inside `serviceException.text` ("email should have a valid email
 * format", "No data was submitted for a mandatory field: email"); the longest matching fieldId wins.
 */
export function formDataFieldErrors(text: string, fieldIds: readonly string[]): Record<string, string[]> | null {
  const matches = fieldIds.filter((id) => new RegExp(`(^|[\\s:])${escape(id)}($|[\\s:.,])`).test(text))
  const field = matches.sort((a, b) => b.length - a.length)[0]
  if (!field) {
    return null
  }
  return { [field]: [friendly(text)] }
}

function friendly(text: string): string {
  if (/mandatory/i.test(text)) {
    return 'This field is required.'
  }
  if (/email/i.test(text)) {
    return 'Please enter a valid email address.'
  }
  if (/phone|number|prefix|length for network/i.test(text)) {
    return 'Please enter a valid phone number.'
  }
  if (/one of valid options/i.test(text)) {
    return 'Please choose one of the options.'
  }
  if (/forbidden special characters/i.test(text)) {
    return 'Please remove special characters.'
  }
  if (/ISO date|earlier than current date/i.test(text)) {
    return 'Please enter a valid date.'
  }
  return 'Please check this value.'
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
