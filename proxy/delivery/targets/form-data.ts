import type { InfobipClient } from '../../upstreams/infobip/client'
import { InfobipHttpError } from '../../upstreams/infobip/errors'
import { outcomeFromError } from '../from-error'
import type { DeliveryOutcome } from '../outcome'
import type { FormDataPayload } from '../payloads'

/**
 * Infobip Forms API: one call with the submission's values. A 400 that names one of the form's
 * fields is the person's to correct; anything else follows the shared Infobip error mapping.
 */
export async function submitFormData(infobip: InfobipClient, payload: FormDataPayload): Promise<DeliveryOutcome> {
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
