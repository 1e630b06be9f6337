import * as z from 'zod'
import type { FormFieldConfig } from './schema'

/**
 * A form's `consent` block (GDPR art. 7(1), README "Consent"): which fields are consent, the
 * form's version, where the consent goes upstream and how long its record is kept. Kept apart
 * from config/schema.ts, which only mounts it; the RapidPro key rule is passed in so that there is
 * one of it.
 */
export function consentConfig(rapidproFieldKey: z.ZodType<string>) {
  return z.strictObject({
    /** The fields whose ticking is consent; default every single checkbox (`checkbox`) of the form. */
    fields: z.array(z.string().min(1).max(100)).max(20).optional(),
    /** The form's version as recorded; default a hash of its public definition and texts (version.ts). */
    version: z.string().min(1).max(64).optional(),
    /** Infobip people custom attribute (of the person the flow enrols) that receives the consent summary. */
    attribute: z.string().min(1).max(100).optional(),
    /** Flow variable (Moments `variables`, legacy `flowVariables`) that receives it. */
    flowVariable: z.string().min(1).max(100).optional(),
    /** RapidPro contact field key that receives it. */
    rapidproField: rapidproFieldKey.optional(),
    /** Days a consent record is kept; default DEFAULT_RETENTION_DAYS (retention.ts). */
    retentionDays: z.int().positive().max(36_500).optional(),
  })
}
export type ConsentConfig = z.infer<ReturnType<typeof consentConfig>>

interface FormWithConsent {
  fields?: readonly FormFieldConfig[] | undefined
  flow?: unknown
  rapidpro?: unknown
  consent?: ConsentConfig | undefined
}

/** The rules across the form: a target for each upstream key, and consent fields that are checkboxes. */
export function checkConsent(form: FormWithConsent, ctx: z.RefinementCtx): void {
  const consent = form.consent
  if (!consent) {
    return
  }
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['consent', key], message })
  if (consent.flowVariable && !form.flow) {
    issue('flowVariable', 'needs a "flow" to send the variable to')
  }
  if (consent.attribute && !form.flow) {
    issue('attribute', 'needs a "flow": the attribute is set on the person the flow enrols')
  }
  if (consent.rapidproField && !form.rapidpro) {
    issue('rapidproField', 'needs a "rapidpro" block to write the field to')
  }
  // An Infobip form's fields are known only once it is fetched; there, other names are ignored (record.ts).
  for (const name of form.fields ? (consent.fields ?? []) : []) {
    if (form.fields?.find((f) => f.name === name)?.type !== 'checkbox') {
      issue('fields', `"${name}" is not a "checkbox" field of this form`)
    }
  }
}
