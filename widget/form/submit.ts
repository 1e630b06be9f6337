import type { PublicField, PublicForm } from '../../contract/definition'
import { isContentField } from '../../contract/definition'
import { errorText } from '../../contract/error-text'
import type { Translate } from '../../contract/texts'
import type { Rule } from '../../contract/validate'
import { validateField } from '../../contract/validate'
import type { Solver } from '../challenge/index'
import type { SubmitResult } from '../net/api'
import { submitValues } from '../net/api'
import type { Emit } from '../page/events'
import { submissionContext } from '../page/context'
import { badInput, readValue, readValues } from './read-values'
import type { Outcome } from './submit-outcome'
import { describeOutcome } from './submit-outcome'

/**
 * The lazy chunk `flowform-submit.js` (vite.config.ts): everything a submission needs and a page
 * view does not: the contract's value rules and their messages, reading the values, the post and
 * the outcome it shows. Asked for when the person first focuses the form, awaited at submit. Most
 * page views never touch the form, so the bundle every shop page loads leaves this out.
 */

/**
 * The first rule a field's value breaks. A number the browser cannot read ("4e") reaches FormData
 * as "": not empty, just wrong.
 */
function check(
  form: HTMLFormElement,
  field: PublicField,
  value: ReturnType<typeof readValue> | undefined,
): Rule | null {
  return validateField(field, value) ?? (badInput(form, field) ? 'format' : null)
}

/** What SignupForm hands over for one submission: its props, its form element and its callbacks. */
export interface Submitting {
  form: PublicForm
  fields: PublicField[]
  formId: string
  endpoint: string
  locale: string
  t: Translate
  emit: Emit
  element: HTMLFormElement
  /** The form's challenge solver, when its definition names one (null: it could not load). */
  solver?: Promise<Solver | null> | undefined
  /** The values passed the rules and are about to be sent: the button says so. */
  sending(): void
  /** Unmounted meanwhile: the answer only raises its event. */
  gone(): boolean
}

/**
 * One submission: the values checked (the field messages when one breaks a rule), else posted with
 * the bot defense's answers and the answer turned into what the form shows. Null when the form was
 * unmounted meanwhile (a single-page shop moved on): the page is no longer ours to change.
 */
export async function submit(s: Submitting): Promise<Outcome | null> {
  const { form, fields, t, element } = s
  const values = readValues(element, fields)
  const errors: Record<string, string> = {}
  for (const field of fields) {
    // Content fields have no value, and no rule to break (even when upstream marks them required).
    const rule = !isContentField(field) && check(element, field, values[field.name])
    if (rule) {
      errors[field.name] = errorText(field, rule, t)
    }
  }
  if (Object.keys(errors).length > 0) {
    return { done: false, status: '', alert: '', errors }
  }
  s.sending()
  s.emit('submit')
  // A form with a challenge sends its answer; without one (the chunk or the provider did not
  // load, nothing solved in time) the proxy would refuse it, so it is not sent.
  const solver = form.challenge && (await s.solver)
  const challenge = solver === undefined ? undefined : ((await solver?.answer().catch(() => '')) ?? '')
  // Bot defense: the token goes back as issued, the honeypot's value as found (empty from a person).
  const result: SubmitResult =
    challenge === ''
      ? { kind: 'failed', code: 'challenge_unavailable' }
      : await submitValues(s.endpoint, s.formId, {
          values,
          context: submissionContext(s.locale),
          token: form.token,
          honeypot: form.honeypot && (element.elements.namedItem(form.honeypot) as HTMLInputElement).value,
          challenge,
        })
  // Spent, whatever the answer: the next attempt needs a new one.
  solver?.used()
  if (result.kind === 'accepted') {
    s.emit('success', { status: result.status })
  } else {
    s.emit('error', { code: result.code })
  }
  return s.gone() ? null : describeOutcome(result, fields, t, form.afterSubmit)
}

/**
 * The message a field shows after its value changed, while it shows `shown`: checked again, a
 * message may go away while the person types (once the value is valid, or no longer empty for
 * "fill in this field") but neither appear nor change; when the person leaves the field (`typing`
 * false) it is brought up to date. Undefined: the message goes.
 */
export function recheck(
  element: HTMLFormElement,
  field: PublicField,
  shown: string,
  typing: boolean,
  t: Translate,
): string | undefined {
  const rule = check(element, field, readValue(element, field))
  if (rule && !typing) {
    return errorText(field, rule, t)
  }
  return !rule || (rule !== 'required' && shown === errorText(field, 'required', t)) ? undefined : shown
}
