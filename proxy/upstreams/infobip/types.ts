import * as z from 'zod'

/** Infobip's answers, validated at the boundary; loose so that new upstream keys do not break us. */

export const FormElement = z.looseObject({
  component: z.string(),
  fieldId: z.string().optional(),
  personField: z.string().optional(),
  label: z.string().optional(),
  isRequired: z.boolean().optional(),
  isHidden: z.boolean().optional(),
  textContent: z.string().optional(),
  placeholder: z.string().optional(),
  checkboxText: z.string().optional(),
  options: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  validationRules: z
    .looseObject({
      datePattern: z.string().optional(),
      maxLength: z.number().optional(),
      maxValue: z.string().optional(),
      minValue: z.string().optional(),
      pattern: z.string().optional(),
      sample: z.string().optional(),
      forbiddenSymbols: z.array(z.string()).optional(),
    })
    .optional(),
  validationMessages: z.record(z.string(), z.string()).optional(),
})
export type FormElement = z.infer<typeof FormElement>

export const InfobipForm = z.looseObject({
  id: z.string(),
  name: z.string(),
  elements: z.array(FormElement),
  actionAfterSubmission: z.object({ type: z.enum(['REDIRECT', 'MESSAGE']), value: z.string() }).optional(),
  resubmitEnabled: z.boolean().optional(),
  formType: z.string().optional(),
  formStatus: z.string(),
})
export type InfobipForm = z.infer<typeof InfobipForm>

export const InfobipFormList = z.looseObject({
  forms: z.array(InfobipForm),
  offset: z.number().optional(),
  limit: z.number().optional(),
  total: z.number().optional(),
})
export type InfobipFormList = z.infer<typeof InfobipFormList>

export const OperationAnswer = z.looseObject({ operationId: z.string().min(1) })

const ParticipantStatus = z.enum(['PENDING', 'ACCEPTED', 'REJECTED'])

export const ParticipantsReport = z.looseObject({
  operationId: z.string(),
  campaignId: z.union([z.number(), z.string()]).optional(),
  callbackData: z.string().optional(),
  participants: z.array(
    z.looseObject({
      identifyBy: z.looseObject({ identifier: z.string(), type: z.string() }),
      status: ParticipantStatus,
      errorReason: z.string().optional(),
    }),
  ),
})
export type ParticipantsReport = z.infer<typeof ParticipantsReport>

export type IdentifyType = 'EMAIL' | 'PHONE'

/** The subset of Infobip's IamPersonV2 that Flowform writes. */
export interface Person {
  externalId?: string
  firstName?: string
  lastName?: string
  middleName?: string
  address?: string
  city?: string
  country?: string
  gender?: 'MALE' | 'FEMALE'
  birthDate?: string
  preferredLanguage?: string
  tags?: string[]
  customAttributes?: Record<string, string | number | boolean>
  contactInformation?: {
    email?: { address: string }[]
    phone?: { number: string }[]
  }
}

export interface MomentsParticipant {
  identifyBy: { identifier: string; type: IdentifyType }
  variables?: Record<string, unknown>
  person?: Person
}
