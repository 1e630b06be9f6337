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
  }),
])
export type FlowConfig = z.infer<typeof FlowConfig>

export const RapidproConfig = z.strictObject({
  groups: z.array(z.string().min(1).max(64)).max(100).optional(),
  language: z
    .string()
    .regex(/^[a-z]{3}$/, 'must be an ISO 639-3 code such as "eng"')
    .optional(),
  fields: z.record(z.string(), z.string()).optional(),
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
