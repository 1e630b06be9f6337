import type { JSX, RefObject } from 'preact'
import { Component, createRef } from 'preact'
import { submitValues } from '../api'
import { submissionContext } from '../context'
import { countView, whenVisible } from '../count-view'
import type { FieldType, PublicField, PublicForm } from '../definition'
import type { Translate } from '../texts'
import { validateField, validateValues } from '../validate'
import type { Emit } from './app'
import { errorText } from './error-text'
import { Field } from './field'
import { readValue, readValues } from './read-values'
import type { Outcome } from './submit-outcome'
import { describeOutcome } from './submit-outcome'

interface SignupFormProps {
  form: PublicForm
  /** The fields this bundle can draw, in order. */
  fields: PublicField[]
  formId: string
  endpoint: string
  t: Translate
  /** Prefix of the element ids, unique per mount. */
  uid: string
  emit: Emit
  /** Inline forms count their view when scrolled into sight; dialogs when they open. */
  inline: boolean
  locale: string
  prefill?: Record<string, string> | undefined
}

/** Never prefilled: nobody may tick a consent box or set a hidden value through a link. */
const NO_PREFILL: readonly FieldType[] = ['hidden', 'checkbox', 'checkboxes']

interface SignupFormState {
  outcome: Outcome
  sending: boolean
}

const EMPTY: Outcome = { done: false, status: '', alert: '', errors: {} }

/*
 * A class rather than hooks: preact/hooks would cost about 1 KB of the 15 KB budget, and this is
 * one of only two stateful components. Instance fields are `declare`d and set in the constructor:
 * real class fields are down-levelled for es2020 with a helper that costs another 300 bytes.
 */
export class SignupForm extends Component<SignupFormProps, SignupFormState> {
  private declare formRef: RefObject<HTMLFormElement>
  private declare statusRef: RefObject<HTMLDivElement>
  // Plain fields, not state: a second click lands before Preact has re-rendered the button.
  private declare inFlight: boolean
  private declare attempted: boolean
  private declare focusInvalid: boolean
  private declare stopCounting: () => void

  constructor(props: SignupFormProps) {
    super(props)
    this.state = { outcome: EMPTY, sending: false }
    this.formRef = createRef()
    this.statusRef = createRef()
    this.inFlight = this.attempted = this.focusInvalid = false
    this.stopCounting = () => undefined
  }

  override componentDidMount(): void {
    const { endpoint, formId, fields, prefill = {}, inline, emit } = this.props
    const seen = (): void => {
      countView(endpoint, formId)
      emit('view')
    }
    if (inline) {
      this.stopCounting = whenVisible(this.base as Element, seen)
    } else {
      seen()
    }
    // Uncontrolled inputs: a prefilled value is set once, like typing, and never forced back.
    for (const input of [...(this.formRef.current?.elements ?? [])] as HTMLInputElement[]) {
      const field = fields.find((f) => f.name === input.name)
      const value = prefill[input.name.toLowerCase()]
      if (field && value !== undefined && !NO_PREFILL.includes(field.type)) {
        if (field.type === 'radio') {
          input.checked = input.value === value
        } else {
          input.value = value
        }
      }
    }
  }

  override componentWillUnmount(): void {
    this.stopCounting()
  }

  override componentDidUpdate(_: SignupFormProps, previous: SignupFormState): void {
    // Focus after the render that attached the messages, so a screen reader reads them with it.
    if (this.focusInvalid) {
      this.focusInvalid = false
      this.formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
    }
    // The form is gone once accepted; keep focus from falling back to the page's body.
    if (this.state.outcome.done && !previous.outcome.done) {
      this.statusRef.current?.focus()
    }
  }

  private show(outcome: Outcome): void {
    this.focusInvalid = Object.keys(outcome.errors).length > 0
    this.setState({ outcome })
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault()
    const { form, fields, formId, endpoint, t, emit, locale } = this.props
    const element = this.formRef.current
    if (this.inFlight || !element) {
      return
    }
    this.attempted = true
    const values = readValues(element, fields)
    const failures = validateValues(fields, values)
    const errors: Record<string, string> = {}
    for (const field of fields) {
      const rule = failures[field.name]
      if (rule) {
        errors[field.name] = errorText(field, rule, t)
      }
    }
    if (Object.keys(errors).length > 0) {
      this.show({ ...EMPTY, errors })
      return
    }
    this.inFlight = true
    this.setState({ sending: true, outcome: EMPTY })
    emit('submit')
    const result = await submitValues(endpoint, formId, values, submissionContext(locale))
    this.inFlight = false
    this.setState({ sending: false })
    if (result.kind === 'accepted') {
      emit('success', { status: result.status })
    } else {
      emit('error', { code: result.code })
    }
    const outcome = describeOutcome(result, fields, t, form.afterSubmit)
    this.show(outcome)
    if (outcome.redirect) {
      window.location.assign(outcome.redirect)
    }
  }

  /*
   * After the first attempt a field is checked again when its value changes (for text: when the
   * person leaves it), so a server message stays until the value it judged is edited. While the
   * person types, a message may only go away, never appear or change: fixing a field should feel
   * rewarded, and a message vanishing on blur would shift the page under the pointer mid-click.
   */
  private recheck(event: Event, typing: boolean): void {
    const { fields, t } = this.props
    const name = (event.target as HTMLInputElement | null)?.name
    const field = fields.find((f) => f.name === name)
    const element = this.formRef.current
    const errors = { ...this.state.outcome.errors }
    if (!this.attempted || !field || !element || (typing && !errors[field.name])) {
      return
    }
    const rule = validateField(field, readValue(element, field))
    if (rule && typing) {
      return
    }
    if (rule) {
      errors[field.name] = errorText(field, rule, t)
    } else {
      delete errors[field.name]
    }
    this.setState({ outcome: { ...this.state.outcome, errors } })
  }

  override render({ form, fields, uid, t }: SignupFormProps, { outcome, sending }: SignupFormState): JSX.Element {
    return (
      <div class="root">
        {outcome.done ? null : (
          <form
            ref={this.formRef}
            part="form"
            noValidate
            onSubmit={(e) => this.submit(e)}
            onInput={(e) => this.recheck(e, true)}
            onChange={(e) => this.recheck(e, false)}
          >
            {fields.map((field, index) => (
              <Field
                key={`${index}-${field.name}`}
                field={field}
                id={`${uid}-${index}`}
                error={outcome.errors[field.name]}
                t={t}
              />
            ))}
            <button type="submit" part="button" disabled={sending}>
              {sending ? t('submit.busy') : form.submitLabel || t('submit')}
            </button>
          </form>
        )}
        {/* Both live regions exist from the start: screen readers announce changes, not arrivals. */}
        <div ref={this.statusRef} role="status" part="status" class="status" tabIndex={-1}>
          {outcome.status}
        </div>
        <div role="alert" part="alert" class="alert">
          {outcome.alert}
        </div>
      </div>
    )
  }
}
