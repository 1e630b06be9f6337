import type { AfterSubmit, PublicField } from '../../contract/definition'
import type { SubmitResult } from '../net/api'
import type { Translate } from '../../contract/texts'

/**
 * What the form shows after the proxy answered: a status, an alert, or field messages. A signup
 * (done) and a failure also get a heading: the signup's replaces the form, the failure's leads
 * the alert.
 */
export interface Outcome {
  done: boolean
  heading?: string
  status: string
  alert: string
  errors: Record<string, string>
  redirect?: string
}

/** Only web pages: a `javascript:` or `data:` URL from a config must never run in the shop. */
export function webUrl(value: string): string | undefined {
  try {
    const url = new URL(value, window.location.href)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

export function describeOutcome(
  result: SubmitResult,
  fields: readonly PublicField[],
  t: Translate,
  afterSubmit?: AfterSubmit,
): Outcome {
  const outcome: Outcome = { done: false, status: '', alert: '', errors: {} }
  if (result.kind === 'accepted') {
    outcome.done = true
    if (result.status === 'already_enrolled') {
      outcome.heading = t('already.heading')
      outcome.status = t('status.alreadyEnrolled')
      return outcome
    }
    outcome.heading = t('success.heading')
    // Queued means accepted with delivery pending: the shop's thank-you page still applies.
    const redirect = afterSubmit?.type === 'redirect' ? webUrl(afterSubmit.value) : undefined
    if (redirect) {
      outcome.redirect = redirect
    }
    outcome.status =
      result.status === 'queued'
        ? t('status.queued')
        : afterSubmit?.type === 'message' && afterSubmit.value
          ? afterSubmit.value
          : t('status.enrolled')
    return outcome
  }
  if (result.kind === 'invalid') {
    // Messages for fields nobody can see (hidden ones, or names this form lacks) go in the alert.
    const stray: string[] = []
    for (const [name, messages] of Object.entries(result.fields)) {
      const text = Array.isArray(messages) ? messages.join(' ') : String(messages)
      const shown = fields.some((f) => f.name === name && f.type !== 'hidden')
      if (shown) {
        outcome.errors[name] = text
      } else {
        stray.push(text)
      }
    }
    outcome.alert = [t('alert.invalid'), ...stray].join(' ')
    return outcome
  }
  outcome.heading = t('alert.heading')
  outcome.alert = t(result.kind === 'rateLimited' ? 'alert.rateLimited' : 'alert.failed')
  return outcome
}
