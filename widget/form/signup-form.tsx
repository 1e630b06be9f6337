// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX, RefObject } from 'preact'
import { Component, createRef, h } from 'preact'
import type { SubmitResult } from '../net/api'
import { formUrl, submitValues } from '../net/api'
import type * as ChallengeChunk from '../challenge/index'
import type { Solver } from '../challenge/index'
import { loadChunk } from '../lazy/chunk'
import type * as RulesChunk from './rules'
import { submissionContext } from '../page/context'
import { whenVisible } from '../page/count-view'
import type { FieldType, PublicField, PublicForm } from '../../contract/definition'
import { isContentField } from '../../contract/definition'
import type { Translate } from '../../contract/texts'
import type { Emit } from '../page/events'
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
  /** The page's CSP nonce, for a challenge provider's script. */
  nonce?: string | undefined
}

/** Never prefilled: nobody may tick a consent box or set a hidden value through a link. */
const NO_PREFILL: readonly FieldType[] = ['hidden', 'checkbox', 'checkboxes']

interface SignupFormState {
  outcome: Outcome
  sending: boolean
}

const EMPTY: Outcome = { done: false, status: '', alert: '', errors: {} }

type Rules = typeof RulesChunk

/*
 * A class rather than hooks: preact/hooks would cost about 1 KB of the 15 KB budget, and this is
 * one of only two stateful components. Instance fields are `declare`d and set in the constructor:
 * real class fields are down-levelled for es2020 with a helper that costs another 300 bytes.
 */
export class SignupForm extends Component<SignupFormProps, SignupFormState> {
  declare private formRef: RefObject<HTMLFormElement>
  // Plain fields, not state: a second click lands before Preact has re-rendered the button.
  declare private inFlight: boolean
  /** Focus moves after the render that shows an outcome. */
  declare private focusNext: boolean
  /** Unmounted: an answer still arriving only raises its event. */
  declare private gone: boolean
  declare private stopCounting: () => void
  /** The form's challenge (lazy chunk), when its definition names one; null when it could not load. */
  declare private solver?: Promise<Solver | null>
  /** The value rules (lazy chunk): null when they could not load (the proxy checks anyway). */
  declare private rules?: Promise<Rules | null> | undefined
  /** The same once loaded, for the checks as the person types. */
  declare private loaded?: Rules | null

  constructor(props: SignupFormProps) {
    super(props)
    this.state = { outcome: EMPTY, sending: false }
    this.formRef = createRef()
    this.inFlight = this.focusNext = this.gone = false
    this.stopCounting = () => undefined
  }

  override componentDidMount(): void {
    const { form, fields, prefill = {}, inline, emit, endpoint, formId, nonce } = this.props
    // Inline forms count their view when first on screen; dialogs when they open (App).
    if (inline) {
      this.stopCounting = whenVisible(this.base as Element, () => emit('view'))
    }
    const { challenge } = form
    if (challenge) {
      // The challenge code and the provider's script load only for a form that names one.
      const host = ((this.base as Element).getRootNode() as ShadowRoot).host
      this.solver = loadChunk<typeof ChallengeChunk>('challenge', endpoint).then(
        (chunk) =>
          this.gone
            ? null
            : chunk.createSolver(challenge, { challengeUrl: formUrl(endpoint, formId, '/challenge'), host, nonce }),
        () => null,
      )
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
    this.gone = true
    this.stopCounting()
    void this.solver?.then((solver) => solver?.destroy())
  }

  override componentDidUpdate(): void {
    // After the render that attached the messages, so a screen reader reads them with the focus:
    // the first invalid field, else the alert; once accepted (the form is gone) the heading that
    // replaced it, not the live region under it, which would be read twice.
    if (this.focusNext) {
      this.focusNext = false
      const root = this.base as HTMLElement
      const { done, alert } = this.state.outcome
      ;(
        (done
          ? root.firstChild
          : (root.querySelector('[aria-invalid="true"]') ?? (alert && root.lastChild))) as HTMLElement | null
      )?.focus()
    }
  }

  private show(outcome: Outcome): void {
    this.focusNext = true
    this.setState({ outcome })
  }

  /** The first focus in the form: what a submission needs starts loading (rules, a proof of work). */
  private warm(): Promise<Rules | null> {
    void this.solver?.then((solver) => solver?.warm())
    return (this.rules ??= loadChunk<Rules>('rules', this.props.endpoint).then(
      (rules) => (this.loaded = rules),
      () => {
        // A later focus or submit tries again: the network may be back.
        this.rules = undefined
        return null
      },
    ))
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault()
    const { form, fields, formId, endpoint, t, emit, locale } = this.props
    const element = this.formRef.current
    if (this.inFlight || !element) {
      return
    }
    this.inFlight = true
    const rules = await this.warm()
    const values = readValues(element, fields)
    const errors: Record<string, string> = {}
    for (const field of fields) {
      // Content fields have no value, and no rule to break (even when upstream marks them required).
      const rule = rules && !isContentField(field) && rules.check(element, field, values[field.name])
      if (rule) {
        errors[field.name] = rules.errorText(field, rule, t)
      }
    }
    if (Object.keys(errors).length > 0) {
      this.inFlight = false
      this.show({ ...EMPTY, errors })
      return
    }
    this.setState({ sending: true, outcome: EMPTY })
    emit('submit')
    // A form with a challenge sends its answer; without one (the chunk or the provider did not
    // load, nothing solved in time) the proxy would refuse it, so it is not sent.
    const solver = form.challenge && (await this.solver)
    const challenge = solver === undefined ? undefined : ((await solver?.answer().catch(() => '')) ?? '')
    // Bot defense: the token goes back as issued, the honeypot's value as found (empty from a person).
    const result: SubmitResult =
      challenge === ''
        ? { kind: 'failed', code: 'challenge_unavailable' }
        : await submitValues(endpoint, formId, {
            values,
            context: submissionContext(locale),
            token: form.token,
            honeypot: form.honeypot && (element.elements.namedItem(form.honeypot) as HTMLInputElement).value,
            challenge,
          })
    // Spent, whatever the answer: the next attempt needs a new one.
    solver?.used()
    this.inFlight = false
    if (result.kind === 'accepted') {
      emit('success', { status: result.status })
    } else {
      emit('error', { code: result.code })
    }
    // Unmounted meanwhile (a single-page shop moved on): the page is no longer ours to change.
    if (this.gone) {
      return
    }
    this.setState({ sending: false })
    const outcome = describeOutcome(result, fields, t, form.afterSubmit)
    this.show(outcome)
    if (outcome.redirect) {
      window.location.assign(outcome.redirect)
    }
  }

  /*
   * A field with a message (from the last attempt, ours or the server's) is checked again as its
   * value changes; a field without one waits for the next attempt. A message appearing when the
   * person leaves a field would push everything under it down at the mousedown that left it, and
   * the click aimed at the next field (the consent box) would miss. While typing, a message may
   * only go away (once the value is valid, or no longer empty for "fill in this field"), never
   * appear or change: fixing a field should feel rewarded. When the person leaves the field
   * (`change`), the message is brought up to date.
   */
  private recheck(event: Event, typing: boolean): void {
    const { fields, t } = this.props
    const name = (event.target as HTMLInputElement | null)?.name
    const field = fields.find((f) => f.name === name)
    const element = this.formRef.current
    const errors = { ...this.state.outcome.errors }
    const shown = field && errors[field.name]
    const rules = this.loaded
    if (!shown || !element || !rules) {
      return
    }
    const rule = rules.check(element, field, readValue(element, field))
    if (rule && !typing) {
      errors[field.name] = rules.errorText(field, rule, t)
    } else if (!rule || (rule !== 'required' && shown === rules.errorText(field, 'required', t))) {
      delete errors[field.name]
    } else {
      return
    }
    this.setState({ outcome: { ...this.state.outcome, errors } })
  }

  override render({ form, fields, uid, t }: SignupFormProps, { outcome, sending }: SignupFormState): JSX.Element {
    return (
      <div class={outcome.done ? 'root done' : 'root'}>
        {outcome.done ? (
          // Focused after the signup (tabindex -1: by the widget only, so no focus ring either).
          <h2 class="head" part="heading" tabIndex={-1}>
            {outcome.heading}
          </h2>
        ) : (
          <form
            ref={this.formRef}
            part="form"
            noValidate
            onSubmit={(e) => this.submit(e)}
            onInput={(e) => this.recheck(e, true)}
            onChange={(e) => this.recheck(e, false)}
            onFocusIn={() => this.warm()}
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
            {form.honeypot ? (
              // Bot defense: out of sight, out of the Tab order and unannounced; only a bot fills it in.
              <div class="hp" aria-hidden="true">
                <input name={form.honeypot} tabIndex={-1} autocomplete="off" aria-hidden="true" />
              </div>
            ) : null}
            {/* A drawn check (Turnstile, hCaptcha) lives in the page's DOM, shown here. */}
            {form.challenge ? <slot name="challenge" /> : null}
            {/* aria-disabled, not disabled: a disabled button drops focus to the page's body. */}
            <button type="submit" part="button" aria-disabled={sending}>
              {sending ? t('submit.busy') : form.submitLabel || t('submit')}
            </button>
          </form>
        )}
        {/* Both live regions exist from the start: screen readers announce changes, not arrivals. */}
        <div role="status" part="status" class="status">
          {outcome.status}
        </div>
        <div role="alert" part="alert" class="alert" tabIndex={-1}>
          {outcome.heading && !outcome.done ? <strong class="head">{outcome.heading}</strong> : null}
          {outcome.alert}
        </div>
      </div>
    )
  }
}
