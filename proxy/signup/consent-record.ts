import type { PublicField, SubmissionValues } from '../../contract/definition'
import { localiseForm } from '../forms/localise'
import type { ResolvedForm } from '../forms/registry'
import { toPersonData } from './person'
import { formVersion } from './consent-version'
import type { ConsentEvidence, ConsentText } from '../delivery/consent-store'

export type { ConsentEvidence, ConsentText } from '../delivery/consent-store'

export interface ConsentSource {
  locale?: string | undefined
  page?: string | undefined
  origin?: string | undefined
  now: number
}

/**
 * The consent evidence of one validated submission, or null when the person ticked no consent
 * field. Consent fields are the config's `consent.fields` (checkboxes only; other names are
 * ignored), else every single checkbox of the form. The texts are those of the definition in the
 * submission's language, localised as `GET /v1/forms/:id?locale=` served it (forms/localise.ts).
 */
export function consentEvidence(
  form: ResolvedForm,
  values: SubmissionValues,
  source: ConsentSource,
): ConsentEvidence | null {
  const shown = localiseForm(form.definition, form.config.texts, source.locale)
  const named = form.config.consent?.fields
  const ticked = shown.fields.filter(
    (f) => f.type === 'checkbox' && (!named || named.includes(f.name)) && values[f.name] === true,
  )
  if (ticked.length === 0) {
    return null
  }
  const person = toPersonData(values, form.personFields)
  return {
    acceptedAt: source.now,
    locale: shown.locale ?? 'en',
    version: formVersion(form),
    page: source.page || source.origin || null,
    texts: ticked.map(textOf),
    email: person.email ?? null,
    phone: person.phone ?? null,
  }
}

function textOf(field: PublicField): ConsentText {
  const text = field.checkboxText ?? field.label ?? ''
  const question = field.checkboxText && field.label && field.label !== field.checkboxText ? field.label : undefined
  return { field: field.name, text, ...(question ? { question } : {}) }
}

/**
 * The one string the upstreams receive (config `consent.attribute` / `flowVariable` /
 * `rapidproField`): `<text> | <ISO time> | <locale> | v<version>`, several texts joined by " / ".
 * Cut to `maxLength` in the text part, so time, language and version always arrive; the full text
 * stays in the local record.
 */
export function consentSummary(evidence: ConsentEvidence, maxLength: number): string {
  const tail = ` | ${new Date(evidence.acceptedAt).toISOString()} | ${evidence.locale} | v${evidence.version}`
  const text = evidence.texts.map((t) => t.text).join(' / ')
  const room = Math.max(maxLength - tail.length, 1)
  const chars = [...text]
  return (chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : text) + tail
}
