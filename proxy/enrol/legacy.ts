import type { PersonData } from '../people/person'
import type { InfobipClient, LegacyIdentifier } from '../upstream/infobip-client'
import { InfobipHttpError } from '../upstream/infobip-errors'
import { outcomeFromError } from './from-error'
import type { DeliveryOutcome } from './outcome'

export const PERSON_FIELD_MESSAGE = {
  email: 'Please check this email address.',
  phone: 'Please check this phone number.',
} as const

/**
 * Legacy "Add Person to Flow" (seed 000): create the person; when Infobip says the person exists
 * (40002), try once more as an upsert identified by email (or phone).
 */
export async function enrolLegacy(
  client: InfobipClient,
  flow: { campaignId: string; flowVariables?: Record<string, unknown> | undefined },
  data: PersonData,
): Promise<DeliveryOutcome> {
  const body = { personData: data.person, ...(flow.flowVariables ? { flowVariables: flow.flowVariables } : {}) }
  try {
    await client.addLegacyParticipant(flow.campaignId, undefined, body)
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    if (!isCode(error, '40002')) {
      return legacyOutcome(error, data)
    }
  }
  const identifier: LegacyIdentifier | undefined = data.email
    ? { email: data.email }
    : data.phone
      ? { phone: data.phone }
      : undefined
  if (!identifier) {
    return { kind: 'failed', upstream: 'infobip-flow', upstreamCode: '40002', reason: 'duplicate person without an email or phone to upsert by' }
  }
  try {
    await client.addLegacyParticipant(flow.campaignId, identifier, body)
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    return legacyOutcome(error, data)
  }
}

function isCode(error: unknown, code: string): error is InfobipHttpError {
  return error instanceof InfobipHttpError && error.upstreamCode === code
}

function legacyOutcome(error: unknown, data: PersonData): DeliveryOutcome {
  if (isCode(error, '40004')) {
    return { kind: 'done', status: 'already_enrolled' }
  }
  if (isCode(error, '40003')) {
    const field = fieldOfManipulationError(error.upstreamMessage ?? '', data)
    if (field) {
      return { kind: 'invalid', fields: { [field.name]: [PERSON_FIELD_MESSAGE[field.kind]] } }
    }
  }
  return outcomeFromError('infobip-flow', error)
}

/** "Error updating person: msisdn: Number is invalid." concerns the phone field; else the email. */
function fieldOfManipulationError(message: string, data: PersonData): { name: string; kind: 'email' | 'phone' } | null {
  const aboutPhone = /msisdn|phone|number/i.test(message)
  if (aboutPhone && data.phoneField) {
    return { name: data.phoneField, kind: 'phone' }
  }
  if (data.emailField) {
    return { name: data.emailField, kind: 'email' }
  }
  return data.phoneField ? { name: data.phoneField, kind: 'phone' } : null
}
