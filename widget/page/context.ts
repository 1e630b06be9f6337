import type { PublicField, SubmissionContext } from '../../contract/definition'
import { MAX_TEXT_LENGTH } from '../../contract/validate'

/**
 * What the page tells about a signup: UTM parameters, the page and the referrer. URLs lose their
 * query and fragment, which may carry personal data (`?email=`) or session tokens.
 */

/** Hidden fields by these names are filled from the page. */
export const CONTEXT_FIELDS: readonly string[] = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'page_url',
  'referrer',
]

function bare(url: string): string {
  try {
    const { origin, pathname } = new URL(url)
    return origin + pathname
  } catch {
    return ''
  }
}

function query(name: string): string {
  return new URLSearchParams(location.search).get(name) ?? ''
}

function pageValue(name: string): string {
  return name === 'page_url' ? bare(location.href) : name === 'referrer' ? bare(document.referrer) : query(name)
}

/** The fields with their hidden context fields filled from the page; a config value stays the fallback. */
export function withContext(fields: PublicField[]): PublicField[] {
  return fields.map((field) => {
    const value = field.type === 'hidden' && CONTEXT_FIELDS.includes(field.name) && pageValue(field.name)
    return value ? { ...field, value: value.slice(0, field.maxLength ?? MAX_TEXT_LENGTH) } : field
  })
}

/** The `context` of a submission, read when it is sent: a single-page shop may have moved on. */
export function submissionContext(locale: string): SubmissionContext {
  return {
    campaign: query('utm_campaign').slice(0, 200) || undefined,
    page: bare(location.href).slice(0, 2000),
    locale,
  }
}

/**
 * Values for visible fields, by lower-case name: the page's query string, then the embed's own
 * `prefill` (HTML lower-cases attribute names, so `data-prefill-firstName` arrives as `firstname`).
 */
export function prefillValues(own: Readonly<Record<string, unknown>> = {}): Record<string, string> {
  const values: Record<string, string> = {}
  new URLSearchParams(location.search).forEach((value, name) => {
    values[name.toLowerCase()] = value
  })
  for (const [name, value] of Object.entries(own)) {
    values[name.toLowerCase()] = String(value)
  }
  return values
}
