import type { JSX, RefObject } from 'preact'
import { Component, createRef } from 'preact'
import type { LoadResult } from '../api'
import { loadForm } from '../api'
import { withContext } from '../context'
import type { PublicField, SubmissionStatus } from '../definition'
import type { Mode, TriggerOptions } from '../display'
import { armTrigger, remember, snoozed } from '../display'
import { rememberHeight, reserveHeight } from '../reserve-height'
import type { Locale, Translate } from '../texts'
import { bootTexts, createTranslate } from '../texts'
import { SignupForm } from './signup-form'
import { supportedFields } from './supported-fields'

export interface DisplayOptions extends TriggerOptions {
  mode?: Mode | undefined
  /** Days the triggers stay quiet after a close or a signup; default 7, 0 = always show. */
  frequencyDays?: number | undefined
  locale?: Locale | undefined
  /** Values for visible fields by lower-case name (see context.ts). */
  prefill?: Record<string, string> | undefined
}

export interface EventDetail {
  status?: SubmissionStatus
  code?: string
}

export type Emit = (type: 'view' | 'submit' | 'success' | 'error' | 'close', detail?: EventDetail) => void

export interface AppProps {
  endpoint: string
  formId: string
  /** The element the `flowform:*` events are dispatched on. */
  host?: Element | undefined
  /** Prefix of the element ids, unique per mount. */
  uid?: string | undefined
  o?: DisplayOptions | undefined
}

interface AppState {
  loaded?: LoadResult
  fields?: PublicField[]
  t: Translate
  open?: boolean
}

/** Page scroll is locked while any popup is open; the page's own value comes back after the last. */
let locks = 0
let pageOverflow = ''

function lockScroll(lock: boolean): void {
  // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
  const style = document.documentElement.style
  if (lock ? !locks++ : !--locks) {
    if (lock) {
      pageOverflow = style.overflow
    }
    style.overflow = lock ? 'hidden' : pageOverflow
  }
}

/** The focused element, looking into shadow roots (another widget, or ours). */
function focused(): HTMLElement | null {
  let active = document.activeElement
  while (active?.shadowRoot?.activeElement) {
    active = active.shadowRoot.activeElement
  }
  return active as HTMLElement | null
}

const FOCUSABLE = 'button,input:not([type=hidden]),select,textarea,[href]'

/**
 * Loads the form's definition, then draws it inline or in a popup or slide-in dialog; a missing or
 * unreachable form gets a calm alert.
 */
export class App extends Component<AppProps, AppState> {
  // Declared and set in the constructor, not class fields: see SignupForm.
  private declare controller: AbortController
  private declare box: RefObject<HTMLDivElement>
  private declare disarm: () => void
  /** A trigger fired before the definition arrived: open once it is there. */
  private declare wanted: boolean
  private declare returnFocus: HTMLElement | null
  /** Dispatches a `flowform:<type>` event on the host; its detail never holds personal data. */
  declare readonly emit: Emit

  constructor(props: AppProps) {
    super(props)
    this.state = { t: createTranslate(bootTexts(props.o?.locale ?? 'en')) }
    this.controller = new AbortController()
    this.box = createRef()
    this.disarm = () => undefined
    this.wanted = false
    this.returnFocus = null
    this.emit = (type, detail) => {
      if (type === 'success') {
        remember(props.formId)
      }
      // Seen inline for the first time: the frame that painted it has laid it out, so reading its
      // height here adds no work to that frame. The form's own height: the box holds the reservation.
      if (type === 'view' && this.mode() === 'inline') {
        rememberHeight((this.base as Element).firstChild as Element, props.formId, props.o?.locale ?? 'en')
      }
      props.host?.dispatchEvent(
        new CustomEvent(`flowform:${type}`, { bubbles: true, composed: true, detail: { form: props.formId, ...detail } }),
      )
    }
  }

  private mode(): Mode {
    return this.props.o?.mode ?? 'inline'
  }

  override componentDidMount(): void {
    const { endpoint, formId, o = {} } = this.props
    const { signal } = this.controller
    void loadForm(endpoint, formId, o.locale ?? 'en', signal).then((loaded) => {
      if (signal.aborted) {
        return
      }
      if (loaded.kind === 'ready') {
        const { fields, texts } = loaded.form
        this.setState({
          loaded,
          fields: withContext(supportedFields(fields)),
          t: createTranslate({ ...bootTexts(o.locale ?? 'en'), ...texts }),
        })
        this.autoOpen(true)
        return
      }
      if (loaded.kind === 'missing') {
        // The shop's visitors see a calm message; whoever embedded the form needs the reason.
        console.error(`[flowform] form "${formId}" was not found at ${endpoint}`)
      }
      this.emit('error', { code: loaded.kind === 'missing' ? 'form_not_found' : 'load_failed' })
      this.setState({ loaded })
    })
    if (this.mode() === 'inline') {
      // Before the first paint: mount() renders and calls this in one go.
      reserveHeight(this.base as HTMLElement, formId, o.locale ?? 'en')
    } else {
      this.disarm = armTrigger(o, () => {
        this.disarm()
        this.wanted = true
        this.autoOpen(this.state.loaded?.kind === 'ready')
      })
    }
  }

  override componentWillUnmount(): void {
    this.controller.abort()
    this.disarm()
    if (this.state.open && this.mode() === 'popup') {
      lockScroll(false)
    }
  }

  override componentDidUpdate(_: AppProps, previous: AppState): void {
    // A modal dialog takes focus when it opens; the dialog itself, so phones keep their keyboard down.
    if (this.state.open && !previous.open && this.mode() === 'popup') {
      this.box.current?.focus()
    }
  }

  /**
   * Opens for a trigger: only with a definition to show (`ready`: state may not have caught up
   * yet), and not when the person said no lately.
   */
  private autoOpen(ready: boolean): void {
    const { formId, o = {} } = this.props
    if (this.wanted && ready && !snoozed(formId, o.frequencyDays ?? 7)) {
      this.wanted = false
      this.show()
    }
  }

  /** Opens a popup or slide-in (no-op inline or when open). */
  show(): void {
    const mode = this.mode()
    if (mode === 'inline' || this.state.open) {
      return
    }
    this.returnFocus = focused()
    if (mode === 'popup') {
      lockScroll(true)
    }
    this.setState({ open: true })
  }

  /** Closes it, and keeps triggers quiet for the frequency period. */
  hide(): void {
    if (!this.state.open) {
      return
    }
    const modal = this.mode() === 'popup'
    const root = this.box.current?.getRootNode() as ShadowRoot | undefined
    // A slide-in gives focus back only if it had it: it never took it.
    if (modal || root?.activeElement) {
      this.returnFocus?.focus()
    }
    if (modal) {
      lockScroll(false)
    }
    this.setState({ open: false })
    remember(this.props.formId)
    this.emit('close')
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.stopPropagation()
      this.hide()
      return
    }
    const box = this.box.current
    if (event.key !== 'Tab' || this.mode() !== 'popup' || !box) {
      return
    }
    // Keep Tab inside the modal: wrap from the last control to the first and back.
    const items = [...box.querySelectorAll<HTMLButtonElement>(FOCUSABLE)].filter((el) => !el.disabled)
    const index = items.indexOf((box.getRootNode() as ShadowRoot).activeElement as HTMLButtonElement)
    if (event.shiftKey ? index <= 0 : index < 0 || index === items.length - 1) {
      event.preventDefault()
      items.at(event.shiftKey ? -1 : 0)?.focus()
    }
  }

  override render({ endpoint, formId, uid, o = {} }: AppProps, { loaded, fields = [], t, open }: AppState): JSX.Element | null {
    const mode = this.mode()
    const lang = (loaded?.kind === 'ready' && loaded.form.locale) || o.locale
    const content = !loaded ? (
      <div class="loading" part="loading" aria-busy="true" />
    ) : loaded.kind !== 'ready' ? (
      <div role="alert" part="alert" class="alert">
        {t(loaded.kind === 'missing' ? 'load.missing' : 'load.failed')}
      </div>
    ) : (
      <SignupForm
        form={loaded.form}
        fields={fields}
        formId={formId}
        endpoint={endpoint}
        t={t}
        uid={uid ?? `ff-${formId}`}
        emit={this.emit}
        inline={mode === 'inline'}
        locale={lang || 'en'}
        prefill={o.prefill}
      />
    )
    if (mode === 'inline') {
      return (
        <div lang={lang} class="box">
          {content}
        </div>
      )
    }
    if (!open) {
      return null
    }
    const modal = mode === 'popup'
    const title = fields.find((f) => f.type === 'title')
    const dialog = (
      <div
        ref={this.box}
        role="dialog"
        aria-modal={modal ? 'true' : 'false'}
        aria-label={title?.text || title?.label || t('dialog')}
        tabIndex={-1}
        lang={lang}
        class={modal ? 'dialog' : 'dialog slide'}
        part={`dialog ${mode}`}
        onKeyDown={(e) => this.onKey(e)}
      >
        <button type="button" class="close" part="close" aria-label={t('close')} onClick={() => this.hide()}>
          ×
        </button>
        {content}
      </div>
    )
    return modal ? (
      <div class="backdrop" part="backdrop" onClick={(e) => e.target === e.currentTarget && this.hide()}>
        {dialog}
      </div>
    ) : (
      dialog
    )
  }
}
