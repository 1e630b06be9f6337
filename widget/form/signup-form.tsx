// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX, RefObject } from 'preact'
import { Component, createRef, h } from 'preact'
import { formUrl } from '../net/api'
import type * as ChallengeChunk from '../challenge/index'
import type { Solver } from '../challenge/index'
import { loadChunk } from '../lazy/chunk'
import type * as SubmitChunk from './submit'
import { whenVisible } from '../page/count-view'
import type { FieldType, PublicField, PublicForm } from '../../contract/definition'
import type { Translate } from '../../contract/texts'
import type { Emit } from '../page/events'
import { Field } from './field'
import type { Outcome } from './submit-outcome'

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

type Submit = typeof SubmitChunk

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
  /** What a submission needs (lazy chunk: the value rules, the post, the outcome); null when it could not load. */
  declare private chunk?: Promise<Submit | null> | undefined
  /** The same once loaded, for the checks as the person types. */
  declare private loaded?: Submit | null

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

  /** The first focus in the form: what a submission needs starts loading (its chunk, a proof of work). */
  private warm(): Promise<Submit | null> {
    void this.solver?.then((solver) => solver?.warm())
    return (this.chunk ??= loadChunk<Submit>('submit', this.props.endpoint).then(
      (chunk) => (this.loaded = chunk),
      () => {
        // A later focus or submit tries again: the network may be back.
        this.chunk = undefined
        return null
      },
    ))
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault()
    const element = this.formRef.current
    if (this.inFlight || !element) {
      return
    }
    this.inFlight = true
    const { t, emit } = this.props
    const chunk = await this.warm()
    if (!chunk) {
      // Nothing can be checked or sent without it (the network is down, most likely): a calm
      // failure, and the next press tries again.
      emit('error', { code: 'network' })
    }
    const outcome = chunk
      ? await chunk.submit({
          ...this.props,
          element,
          solver: this.solver,
          sending: () => this.setState({ sending: true, outcome: EMPTY }),
          gone: () => this.gone,
        })
      : { ...EMPTY, heading: t('alert.heading'), alert: t('alert.failed') }
    this.inFlight = false
    // Null, or unmounted meanwhile (a single-page shop moved on): the page is no longer ours to change.
    if (outcome && !this.gone) {
      this.focusNext = true
      this.setState({ sending: false, outcome })
      if (outcome.redirect) {
        window.location.assign(outcome.redirect)
      }
    }
  }

  /*
   * A field with a message (from the last attempt, ours or the server's) is checked again as its
   * value changes (the chunk's recheck says how); a field without one waits for the next attempt.
   * A message appearing when the person leaves a field would push everything under it down at the
   * mousedown that left it, and the click aimed at the next field (the consent box) would miss.
   */
  private recheck(event: Event, typing: boolean): void {
    const { fields, t } = this.props
    const name = (event.target as HTMLInputElement | null)?.name
    const field = fields.find((f) => f.name === name)
    const element = this.formRef.current
    const errors = { ...this.state.outcome.errors }
    const shown = field && errors[field.name]
    if (!shown || !element || !this.loaded) {
      return
    }
    const message = this.loaded.recheck(element, field, shown, typing, t)
    if (message !== shown) {
      if (message) {
        errors[field.name] = message
      } else {
        delete errors[field.name]
      }
      this.setState({ outcome: { ...this.state.outcome, errors } })
    }
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
