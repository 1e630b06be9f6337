/**
 * The public form definition: what `GET /v1/forms/:id` answers and what the widget renders.
 * The proxy builds it from the config file or from an Infobip form; the widget knows nothing else.
 * It never carries flow, campaign or upstream form ids.
 */

/** Every field type, in one list for the widget (what it can draw) and the config schema. */
export const FIELD_TYPES = [
  'email',
  'tel',
  'text',
  'textarea',
  'number',
  'date',
  'datetime',
  'select',
  'radio',
  'checkbox',
  'checkboxes',
  'hidden',
  'title',
  'description',
] as const

export type FieldType = (typeof FIELD_TYPES)[number]

export interface FieldOption {
  label: string
  value: string
}

/** Per-rule messages that replace the built-in texts, keyed by the rule that failed. */
export interface FieldMessages {
  required?: string | undefined
  format?: string | undefined
  pattern?: string | undefined
  maxLength?: string | undefined
  min?: string | undefined
  max?: string | undefined
  forbiddenSymbols?: string | undefined
}

export interface PublicField {
  /** The submission key: a config field's name or an Infobip element's fieldId. */
  name: string
  type: FieldType
  label?: string
  required?: boolean
  placeholder?: string
  options?: FieldOption[]
  maxLength?: number
  /** A regular expression the whole value must match (no flags, anchored by the validator). */
  pattern?: string
  /** Lower bound: a number for `number`, an ISO date or date-time for `date`/`datetime`. */
  min?: string
  max?: string
  forbiddenSymbols?: string[]
  /** The fixed value of a `hidden` field. */
  value?: string
  /** The text beside a single checkbox (Infobip `checkboxText`). */
  checkboxText?: string
  /** The text of a `title` or `description` element. */
  text?: string
  messages?: FieldMessages
}

export interface AfterSubmit {
  type: 'message' | 'redirect'
  value: string
}

/**
 * What a popup or slide-in shows above its form (inline forms ignore it: the shop's page is around
 * them), and the label of a tab that reopens it once closed.
 */
export interface DisplayContent {
  headline?: string | undefined
  text?: string | undefined
  /** An https URL or a path on the page's own origin; width and height keep its space while it loads. */
  image?: { src: string; alt: string; width: number; height: number } | undefined
  teaser?: string | undefined
}

export interface PublicForm {
  id: string
  fields: PublicField[]
  submitLabel?: string
  afterSubmit?: AfterSubmit
  /** The widget's texts by text key, translated for `locale` and merged with the config's overrides. */
  texts?: Record<string, string>
  /** The language the proxy chose for `texts` (BCP 47); the widget sets it as `lang`. */
  locale?: string
  /** Bot defense: the name of the input the widget renders out of sight; its value goes back as `honeypot`. */
  honeypot?: string
  /** Bot defense: the signed timing token the widget sends back as `token`. */
  token?: string
  /** Bot defense: the challenge to show (the provider's script is loaded only then); its answer goes back as `challenge`. */
  challenge?: PublicChallenge
  display?: DisplayContent
}

/**
 * The challenge a form asks for. Hosted providers: their public site key and the script the widget
 * loads (with its query); reCAPTCHA v3 also the action to name. ALTCHA: nothing, the widget asks
 * `GET /v1/forms/:id/challenge` for a proof of work.
 */
export interface PublicChallenge {
  provider: 'turnstile' | 'hcaptcha' | 'recaptcha' | 'altcha'
  siteKey?: string
  script?: string
  action?: string
}

/** Where a signup happened, sent beside the values; never personal data. */
export interface SubmissionContext {
  /** `utm_campaign` of the page, for Infobip's "Analytics by Campaign". */
  campaign?: string | undefined
  /** The page's URL without query or fragment. */
  page?: string | undefined
  /** The language the form was shown in. */
  locale?: string | undefined
}

/** A submitted value: text, a single checkbox, or a checkbox group. */
export type FieldValue = string | boolean | string[]

export type SubmissionValues = Record<string, FieldValue>

export type SubmissionStatus = 'enrolled' | 'already_enrolled' | 'queued'

export interface ErrorBody {
  error: {
    code: string
    message: string
    fields?: Record<string, string[]>
  }
}

/** A form id as the config file, the embed and the API paths name it; the source, for messages. */
export const FORM_ID_PATTERN = '[a-z0-9-]{1,64}'

/** FORM_ID_PATTERN anchored: the whole id must match. */
export const FORM_ID = new RegExp(`^${FORM_ID_PATTERN}$`)

export function isFormId(id: unknown): id is string {
  return typeof id === 'string' && FORM_ID.test(id)
}

/** Display-only elements carry text and no value. */
export const CONTENT_TYPES: readonly FieldType[] = ['title', 'description']

export function isContentField(field: PublicField): boolean {
  return CONTENT_TYPES.includes(field.type)
}
