import * as z from 'zod'

/** The config file's shape (contract section 3). Unknown keys are refused so typos surface at start. */

const FIELD_TYPES = ['email', 'tel', 'text', 'textarea', 'number', 'date', 'select', 'radio', 'checkbox', 'hidden'] as const

const Origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
    } catch {
      return false
    }
  },
  { error: 'must be an origin such as "https://shop.example.com" (scheme and host, no path or trailing slash)' },
)

const Pattern = z.string().refine(
  (value) => {
    try {
      new RegExp(value, 'u')
      return true
    } catch {
      return false
    }
  },
  { error: 'must be a valid regular expression' },
)

const Option = z.union([z.string().min(1), z.strictObject({ label: z.string().min(1), value: z.string().min(1) })])

const Messages = z.strictObject({
  required: z.string().optional(),
  format: z.string().optional(),
  pattern: z.string().optional(),
  maxLength: z.string().optional(),
  min: z.string().optional(),
  max: z.string().optional(),
  forbiddenSymbols: z.string().optional(),
})

export const FieldConfig = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and hold only letters, digits, _ or -'),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().optional(),
    label: z.string().min(1).max(500).optional(),
    placeholder: z.string().max(200).optional(),
    options: z.array(Option).min(1).max(200).optional(),
    maxLength: z.int().positive().max(4000).optional(),
    pattern: Pattern.optional(),
    min: z.union([z.string(), z.number()]).optional(),
    max: z.union([z.string(), z.number()]).optional(),
    value: z.string().max(4000).optional(),
    messages: Messages.optional(),
  })
  .superRefine((field, ctx) => {
    const needsOptions = field.type === 'select' || field.type === 'radio'
    if (needsOptions && !field.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a "${field.type}" field needs options` })
    }
    if (field.value !== undefined && field.type !== 'hidden') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'only a "hidden" field takes a fixed value' })
    }
  })
export type FieldConfig = z.infer<typeof FieldConfig>

/** The legacy API's query identifiers; each is also the name of the field (people-data key) that carries it. */
export const LEGACY_IDENTIFIERS = ['email', 'phone', 'externalId', 'pushRegistrationId'] as const

const CampaignId = z.union([z.string().regex(/^\d{1,19}$/, 'must be a numeric id'), z.int().positive()]).transform(String)

export const FlowConfig = z.discriminatedUnion('api', [
  z.strictObject({
    api: z.literal('moments'),
    campaignId: CampaignId,
    /** Flow variables sent with every participant. */
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  z.strictObject({
    api: z.literal('legacy'),
    campaignId: CampaignId,
    flowVariables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /**
     * How the legacy API identifies the person (a query parameter, seed 000). Unset: create the
     * person, and upsert by email (or phone) only when Infobip says the person exists (40002).
     */
    identifyBy: z.enum(LEGACY_IDENTIFIERS).optional(),
  }),
])
export type FlowConfig = z.infer<typeof FlowConfig>

/** URN schemes a RapidPro contact can get from a signup (email → mailto, phone → tel/whatsapp, externalId → ext). */
export const RAPIDPRO_URN_SCHEMES = ['mailto', 'tel', 'whatsapp', 'ext'] as const

const RapidproGroupRef = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => name === name.trim() && !/["\\]/.test(name), {
    error: 'must be a RapidPro group name (no surrounding spaces, no " or \\) or a group UUID',
  })

const RapidproFieldKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,35}$/, 'must be a RapidPro field key: lower-case letters, digits and _, starting with a letter')
  .refine((key) => !['has', 'is', 'fields', 'urns', 'created_on', 'last_seen_on'].includes(key), {
    error: 'is a reserved RapidPro field key',
  })

export const RapidproConfig = z.strictObject({
  /** Groups the contact is added to: names or UUIDs. */
  groups: z.array(RapidproGroupRef).max(100).optional(),
  /** ISO 639-3 language for contacts that have none and did not choose one. */
  language: z
    .string()
    .regex(/^[a-z]{3}$/, 'must be an ISO 639-3 code such as "eng"')
    .optional(),
  /** Submitted field name (or people key) → RapidPro field key, instead of the snake_case default. */
  fields: z.record(z.string(), RapidproFieldKey).optional(),
  /** Which URNs the contact gets; default ["mailto", "tel"]. */
  urns: z.array(z.enum(RAPIDPRO_URN_SCHEMES)).min(1).max(RAPIDPRO_URN_SCHEMES.length).optional(),
})
export type RapidproConfig = z.infer<typeof RapidproConfig>

export const FormConfig = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must match [a-z0-9-]{1,64}'),
    allowedOrigins: z.array(Origin).min(1, 'must list at least one origin'),
    fields: z.array(FieldConfig).min(1).max(100).optional(),
    infobipFormId: z.string().min(1).max(100).optional(),
    flow: FlowConfig.optional(),
    rapidpro: RapidproConfig.optional(),
    tags: z.array(z.string().min(1)).max(100).optional(),
    submitLabel: z.string().min(1).max(100).optional(),
    afterSubmit: z
      .strictObject({ type: z.enum(['message', 'redirect']), value: z.string().min(1).max(2000) })
      .optional(),
    texts: z.record(z.string(), z.string().max(2000)).optional(),
  })
  .superRefine((form, ctx) => {
    if (!form.fields && !form.infobipFormId) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a form needs "fields" or an "infobipFormId"' })
    }
    const seen = new Set<string>()
    form.fields?.forEach((field, index) => {
      if (seen.has(field.name)) {
        ctx.addIssue({ code: 'custom', path: ['fields', index, 'name'], message: `duplicate field name "${field.name}"` })
      }
      seen.add(field.name)
    })
    if (form.fields && form.flow && !form.fields.some((f) => f.name === 'email' || f.name === 'phone')) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields'],
        message: 'a form with a flow needs an "email" or a "phone" field to identify the person',
      })
    }
    const identifiesContact = (name: string) =>
      name === 'email' || name === 'phone' || (name === 'externalId' && (form.rapidpro?.urns ?? []).includes('ext'))
    if (form.fields && form.rapidpro && !form.fields.some((f) => identifiesContact(f.name))) {
      ctx.addIssue({
        code: 'custom',
        path: ['rapidpro'],
        message: 'a form with "rapidpro" needs an "email" or a "phone" field to identify the contact',
      })
    }
    const identifyBy = form.flow?.api === 'legacy' ? form.flow.identifyBy : undefined
    if (form.fields && identifyBy && !form.fields.some((f) => f.name === identifyBy)) {
      ctx.addIssue({
        code: 'custom',
        path: ['flow', 'identifyBy'],
        message: `is "${identifyBy}" but the form has no "${identifyBy}" field to take it from`,
      })
    }
  })
export type FormConfig = z.infer<typeof FormConfig>

export const FlowformConfig = z
  .strictObject({
    forms: z.array(FormConfig).min(1, 'must list at least one form'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>()
    config.forms.forEach((form, index) => {
      if (seen.has(form.id)) {
        ctx.addIssue({ code: 'custom', path: ['forms', index, 'id'], message: `duplicate form id "${form.id}"` })
      }
      seen.add(form.id)
    })
  })
export type FlowformConfig = z.infer<typeof FlowformConfig>
