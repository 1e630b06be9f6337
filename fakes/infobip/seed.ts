// Types of Infobip's Forms API (`ApiFormDto`) and the sandbox's default seed data.

export type FormComponent =
  | 'TEXT'
  | 'TEXTAREA'
  | 'NUMBER'
  | 'DROPDOWN'
  | 'CHECKBOX'
  | 'CHECKBOX_GROUP'
  | 'RADIOBUTTON'
  | 'DATE'
  | 'DATETIME'
  | 'EMAIL'
  | 'MSISDN'
  | 'SUBMIT_BUTTON'
  | 'TITLE'
  | 'DESCRIPTION'
  | 'APPLE_SPLASH'
  | 'APPLE_BOOLEAN'
  | 'WHATSAPP_SCREEN'
  | 'WHATSAPP_HEADING'
  | 'WHATSAPP_SUBHEADING'
  | 'WHATSAPP_BODY'

export type FormType = 'OPT_IN' | 'OPT_OUT' | 'FACEBOOK' | 'LIVECHAT' | 'APPLE' | 'CSAT' | 'WA_FLOW'
export type FormStatus = 'ACTIVE' | 'DISABLED' | 'DRAFT'

export interface FormOption {
  name: string
  value: string
  additionalConfiguration?: Record<string, string>
}

export interface FormValidationRules {
  datePattern?: string
  maxLength?: number
  maxValue?: string
  minValue?: string
  pattern?: string
  sample?: string
  forbiddenSymbols?: string[]
}

export interface SeedFormElement {
  component: FormComponent
  fieldId?: string
  personField?: string
  label?: string
  isRequired?: boolean
  isHidden?: boolean
  additionalConfiguration?: Record<string, string>
  textContent?: string
  options?: FormOption[]
  validationRules?: FormValidationRules
  placeholder?: string
  checkboxText?: string
  validationMessages?: Record<string, string>
}

export interface SeedForm {
  id: string
  name: string
  elements: SeedFormElement[]
  createdAt: string
  updatedAt: string
  actionAfterSubmission?: { type: 'REDIRECT' | 'MESSAGE'; value: string }
  resubmitEnabled: boolean
  formType: FormType
  formStatus: FormStatus
}

/** A flow (campaign) as both flow APIs see it: one id space, one participant list. */
export interface SeedFlow {
  campaignId: string
  name: string
  status: 'ACTIVE' | 'INACTIVE'
}

export const SANDBOX_SEED = {
  /** Active flow, meant for `POST /moments/1/flows/{campaignId}/participants`. */
  momentsCampaignId: '200000000000001',
  /** Active flow, meant for the legacy `POST /communication/1/flows/{campaignId}/participants`. */
  legacyCampaignId: '10159347',
  /** Inactive flow: legacy answers 40005, Moments answers 40401. */
  inactiveCampaignId: '200000000000002',
  /** ACTIVE "Company Newsletter" form. */
  activeFormId: 'f7cf1606-e155-40eb-9721-78183d268d24',
  draftFormId: '0a3c1c2e-0000-4000-8000-00000000d4af',
  disabledFormId: '6f0b7c1d-0000-4000-8000-0000d15ab1ed',
} as const

// Copied from the spec's example form: what Infobip forbids in name fields.
export const NAME_FORBIDDEN_SYMBOLS = [
  '^',
  '&',
  '<',
  '>',
  '"',
  '/',
  '\\',
  '\n',
  '\r',
  ':',
  '(',
  ')',
  '{',
  '}',
  '=',
  ';',
  '#',
  '|',
  '+',
  '%',
  '*',
  '?',
  '[',
  ']',
]

// RFC 5322-flavoured, the same spirit as the long pattern on the spec's EMAIL element.
export const EMAIL_PATTERN =
  "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$"

const nameRules = (): FormValidationRules => ({
  maxLength: 255,
  sample: 'James',
  forbiddenSymbols: [...NAME_FORBIDDEN_SYMBOLS],
})

function newsletterForm(): SeedForm {
  return {
    id: SANDBOX_SEED.activeFormId,
    name: 'Company Newsletter',
    elements: [
      { component: 'TITLE', textContent: 'Subscribe to our newsletter' },
      { component: 'DESCRIPTION', textContent: 'Product news, events and offers, about twice a month.' },
      {
        component: 'TEXT',
        fieldId: 'first_name',
        personField: 'firstName',
        label: 'First name',
        isRequired: false,
        isHidden: false,
        placeholder: 'James',
        validationRules: nameRules(),
      },
      {
        component: 'TEXT',
        fieldId: 'last_name',
        personField: 'lastName',
        label: 'Last name',
        isRequired: false,
        isHidden: false,
        validationRules: nameRules(),
      },
      {
        component: 'EMAIL',
        fieldId: 'email',
        personField: 'email',
        label: 'Email',
        isRequired: true,
        isHidden: false,
        placeholder: 'name@example.com',
        validationRules: { maxLength: 1000, pattern: EMAIL_PATTERN },
      },
      {
        component: 'MSISDN',
        fieldId: 'phone',
        personField: 'phone',
        label: 'Phone',
        isRequired: false,
        isHidden: false,
        placeholder: '41793026727',
      },
      {
        component: 'DROPDOWN',
        fieldId: 'company_size',
        label: 'Company size',
        isRequired: false,
        isHidden: false,
        options: [
          { name: '1-10', value: '1-10' },
          { name: '11-50', value: '11-50' },
          { name: '51-200', value: '51-200' },
          { name: 'More than 200', value: '201+' },
        ],
      },
      {
        component: 'CHECKBOX_GROUP',
        fieldId: 'interests',
        label: 'Interests',
        isRequired: false,
        isHidden: false,
        options: [
          { name: 'Product news', value: 'product_news' },
          { name: 'Events', value: 'events' },
          { name: 'Offers', value: 'offers' },
        ],
      },
      {
        component: 'RADIOBUTTON',
        fieldId: 'frequency',
        label: 'How often?',
        isRequired: false,
        isHidden: false,
        options: [
          { name: 'Weekly', value: 'weekly' },
          { name: 'Monthly', value: 'monthly' },
        ],
      },
      {
        component: 'DATE',
        fieldId: 'birth_date',
        personField: 'birthDate',
        label: 'Birthday',
        isRequired: false,
        isHidden: false,
        validationRules: { datePattern: 'yyyy-MM-dd' },
      },
      {
        component: 'CHECKBOX',
        fieldId: 'consent',
        label: 'Consent',
        isRequired: true,
        isHidden: false,
        checkboxText: 'I agree to receive emails',
      },
      {
        component: 'TEXT',
        fieldId: 'offer_id',
        label: 'Offer',
        isRequired: false,
        isHidden: true,
        validationRules: { maxLength: 1000 },
      },
      { component: 'SUBMIT_BUTTON', label: 'Subscribe' },
    ],
    createdAt: '2022-07-11T06:38:12.757+0000',
    updatedAt: '2022-07-11T06:41:03.114+0000',
    actionAfterSubmission: { type: 'MESSAGE', value: 'Thanks for subscribing!' },
    resubmitEnabled: true,
    formType: 'OPT_IN',
    formStatus: 'ACTIVE',
  }
}

function smallForm(id: string, name: string, formStatus: FormStatus): SeedForm {
  return {
    id,
    name,
    elements: [
      {
        component: 'EMAIL',
        fieldId: 'email',
        personField: 'email',
        label: 'Email',
        isRequired: true,
        isHidden: false,
        validationRules: { maxLength: 1000, pattern: EMAIL_PATTERN },
      },
      { component: 'SUBMIT_BUTTON', label: 'Send' },
    ],
    createdAt: '2023-02-01T09:15:00.000+0000',
    updatedAt: '2023-02-03T12:00:00.000+0000',
    actionAfterSubmission: { type: 'MESSAGE', value: 'Thank you!' },
    resubmitEnabled: false,
    formType: 'OPT_IN',
    formStatus,
  }
}

/** Fresh copies on every call, so one fake's mutations never leak into another. */
export function defaultForms(): SeedForm[] {
  return [
    newsletterForm(),
    smallForm(SANDBOX_SEED.draftFormId, 'Spring Promo (draft)', 'DRAFT'),
    smallForm(SANDBOX_SEED.disabledFormId, 'Old Survey', 'DISABLED'),
  ]
}

export function defaultFlows(): SeedFlow[] {
  return [
    { campaignId: SANDBOX_SEED.momentsCampaignId, name: 'Welcome flow', status: 'ACTIVE' },
    { campaignId: SANDBOX_SEED.legacyCampaignId, name: 'Welcome flow (legacy API)', status: 'ACTIVE' },
    { campaignId: SANDBOX_SEED.inactiveCampaignId, name: 'Paused flow', status: 'INACTIVE' },
  ]
}
