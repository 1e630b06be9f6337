import * as z from 'zod'
import { isSupportedCountry } from 'libphonenumber-js/max'
import { FORM_ID, FORM_ID_PATTERN } from '../../contract/definition'
import { EN, LOCALES } from '../../contract/texts'
import { BotDefenseConfig } from './bot-defense'
import { DEFAULTS } from './defaults'
import { FieldConfig, type FormFieldConfig } from './fields'
import { checkConsent, consentConfig } from './consent'
import { languageProblem } from '../common/iso639'

/** The config file's shape (contract section 3). Unknown keys are refused so typos surface at start. */

export { FieldConfig, type FormFieldConfig } from './fields'

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

/** `field.<name>.label` etc.: a text of one field, for translating labels (also of Infobip forms). */
const FIELD_TEXT = /^field\..+\.(label|placeholder|checkboxText|text)$/

/** `display.headline` etc.: a popup's own content in one language (see DisplayConfig). */
export const DISPLAY_TEXT = /^display\.(headline|text|teaser)$/

/** Every text id a config may override: the widget's, the proxy's own, field and display texts. */
export function isTextId(key: string): boolean {
  return key in EN || key === 'error.unknown' || FIELD_TEXT.test(key) || DISPLAY_TEXT.test(key)
}

/** An image for a shop's page: https anywhere, or a path on the page's own origin (not `//host`). */
const ImageSrc = z
  .string()
  .max(2000)
  .refine((src) => /^https:\/\/[^\s]+$/.test(src) || /^\/(?!\/)[^\s]*$/.test(src), {
    message: 'must be an https:// URL or a path on the shop\'s own site starting with "/"',
  })

/**
 * What a popup or slide-in shows above its form: a headline, a text, an image (its width and
 * height in pixels keep its space while it loads), and `teaser`, the label of a tab in the page's
 * corner that opens it again. Translated per language with `display.headline` etc. in `texts`.
 */
export const DisplayConfig = z.strictObject({
  headline: z.string().min(1).max(200).optional(),
  text: z.string().min(1).max(1000).optional(),
  image: z
    .strictObject({
      src: ImageSrc,
      alt: z.string().max(300),
      width: z.number().int().min(1).max(4000),
      height: z.number().int().min(1).max(4000),
    })
    .optional(),
  teaser: z.string().min(1).max(60).optional(),
})
export type DisplayConfig = z.infer<typeof DisplayConfig>

const TextValue = z.string().max(2000)

/**
 * Overrides of the built-in texts: `{ "submit": "Join" }` for every language, and/or
 * `{ "de": { "submit": "Beitreten" } }` for one; the latter wins for its language.
 */
export const TextsConfig = z
  .record(z.string(), z.union([TextValue, z.record(z.string(), TextValue)]))
  .superRefine((texts, ctx) => {
    const locales: readonly string[] = LOCALES
    const unknown = (path: string[]) =>
      ctx.addIssue({
        code: 'custom',
        path,
        message: `is not a text id (see contract/texts.ts, or "field.<name>.label"); a language block must be one of ${LOCALES.join(', ')}`,
      })
    for (const [key, value] of Object.entries(texts)) {
      if (typeof value === 'string') {
        if (!isTextId(key)) {
          unknown([key])
        }
      } else if (!locales.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is not a built-in language; use one of ${LOCALES.join(', ')}`,
        })
      } else {
        for (const id of Object.keys(value).filter((id) => !isTextId(id))) {
          unknown([key, id])
        }
      }
    }
  })
export type TextsConfig = z.infer<typeof TextsConfig>

/** The legacy API's query identifiers; each is also the name of the field (people-data key) that carries it. */
export const LEGACY_IDENTIFIERS = ['email', 'phone', 'externalId', 'pushRegistrationId'] as const

const CampaignId = z
  .union([z.string().regex(/^\d{1,19}$/, 'must be a numeric id'), z.int().positive()])
  .transform(String)

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
  .regex(
    /^[a-z][a-z0-9_]{0,35}$/,
    'must be a RapidPro field key: lower-case letters, digits and _, starting with a letter',
  )
  .refine((key) => !['has', 'is', 'fields', 'urns', 'created_on', 'last_seen_on'].includes(key), {
    error: 'is a reserved RapidPro field key',
  })

export const RapidproConfig = z.strictObject({
  /** Groups the contact is added to: names or UUIDs. */
  groups: z.array(RapidproGroupRef).max(100).optional(),
  /** ISO 639-3 language for contacts that have none and did not choose one. */
  language: z
    .string()
    .superRefine((code, context) => {
      const problem = languageProblem(code)
      if (problem) {
        context.addIssue({ code: 'custom', message: problem })
      }
    })
    .optional(),
  /** Submitted field name (or people key) → RapidPro field key, instead of the snake_case default. */
  fields: z.record(z.string(), RapidproFieldKey).optional(),
  /** Which URNs the contact gets; default ["mailto", "tel"]. */
  urns: z.array(z.enum(RAPIDPRO_URN_SCHEMES)).min(1).max(RAPIDPRO_URN_SCHEMES.length).optional(),
})
export type RapidproConfig = z.infer<typeof RapidproConfig>

/**
 * The country of phone numbers typed in national form ("079 302 67 27"), ISO 3166-1 alpha-2, for
 * proxy/signup/phone.ts; without it a number needs its country code.
 */
const DefaultCountry = z
  .string()
  .transform((code) => code.toUpperCase())
  .refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), {
    error: 'must be an ISO 3166-1 alpha-2 country code with a phone numbering plan, such as "CH" or "HR"',
  })

/**
 * When the person is answered (contract section 3): `instant` (the default, see confirmationOf) as
 * soon as the signup is durably stored, `flow` once the flow answers (up to the request deadline).
 */
export const CONFIRMATIONS = ['instant', 'flow'] as const
export type Confirmation = (typeof CONFIRMATIONS)[number]

const ConfirmationConfig = z.enum(CONFIRMATIONS, {
  error:
    'must be "instant" (answer 202 queued as soon as the signup is stored) or "flow" (wait for the flow\'s answer)',
})

export const FormConfig = z
  .strictObject({
    id: z.string().regex(FORM_ID, `must match ${FORM_ID_PATTERN}`),
    defaultCountry: DefaultCountry.optional(),
    allowedOrigins: z.array(Origin).min(1, 'must list at least one origin'),
    fields: z
      .array(FieldConfig)
      .min(1)
      .max(100)
      .transform((fields) =>
        fields.map((f, index): FormFieldConfig => ({ ...f, name: f.name ?? `${f.type}-${index + 1}` })),
      )
      .optional(),
    infobipFormId: z.string().min(1).max(100).optional(),
    flow: FlowConfig.optional(),
    rapidpro: RapidproConfig.optional(),
    tags: z.array(z.string().min(1)).max(100).optional(),
    submitLabel: z.string().min(1).max(100).optional(),
    afterSubmit: z
      .strictObject({ type: z.enum(['message', 'redirect']), value: z.string().min(1).max(2000) })
      .optional(),
    texts: TextsConfig.optional(),
    /** Bot checks: see bot-defense.ts. */
    botDefense: BotDefenseConfig.optional(),
    consent: consentConfig(RapidproFieldKey).optional(),
    display: DisplayConfig.optional(),
    confirmation: ConfirmationConfig.optional(),
  })
  .superRefine((form, ctx) => {
    checkConsent(form, ctx)
    if (!form.fields && !form.infobipFormId) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a form needs "fields" or an "infobipFormId"' })
    }
    if (!form.flow && !form.infobipFormId && !form.rapidpro) {
      ctx.addIssue({
        code: 'custom',
        path: ['flow'],
        message: 'a form needs somewhere to deliver signups: a "flow", an "infobipFormId" or a "rapidpro" block',
      })
    }
    const seen = new Set<string>()
    form.fields?.forEach((field, index) => {
      // Unnamed only when a field failed its own checks (the transform naming content did not run).
      const name: string | undefined = field.name
      if (name === undefined) {
        return
      }
      if (seen.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['fields', index, 'name'], message: `duplicate field name "${name}"` })
      }
      seen.add(name)
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

/** The form's `confirmation`, its default applied (kept optional in the type so literal configs need not name it). */
export function confirmationOf(config: Pick<FormConfig, 'confirmation'>): Confirmation {
  return config.confirmation ?? DEFAULTS.confirmation
}

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
