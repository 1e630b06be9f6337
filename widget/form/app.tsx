// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX, RefObject } from 'preact'
import { Component, createRef, h } from 'preact'
import type { LoadResult } from '../api'
import { loadForm } from '../api'
import { withContext } from '../context'
import { countView } from '../count-view'
import type { PublicField, SubmissionStatus } from '../../contract/definition'
import type { Mode, TriggerOptions } from '../display'
import { armTrigger, remember, snoozed } from '../display'
import { rememberHeight, reserveHeight } from '../reserve-height'
import type { Locale, Translate } from '../../contract/texts'
import { bootTexts, createTranslate } from '../../contract/texts'
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
  /** Called when a trigger finds the form removed from the page without unmount(): clean it up. */
  gone?: (() => void) | undefined
}

interface AppState {
  loaded?: LoadResult
  fields?: PublicField[]
  t: Translate
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

/** Forms whose trigger fired on this page load, by endpoint and form: a remount does not fire it again. */
const fired = new Set<string>()

/** The focused element, looking into shadow roots (another widget, or ours). */
function focused(): HTMLElement | null {
  let active = document.activeElement
  while (active?.shadowRoot?.activeElement) {
    active = active.shadowRoot.activeElement
  }
  return active as HTMLElement | null
}

/** A pointer event on a modal dialog's ::backdrop: aimed at the dialog itself, outside its box. */
function onBackdrop(event: MouseEvent): boolean {
  const dialog = event.currentTarget as Element
  const { left, right, top, bottom } = dialog.getBoundingClientRect()
  const { clientX: x, clientY: y } = event
  return event.target === dialog && (x < left || x > right || y < top || y > bottom)
}

/** What Tab stops at in the dialog (hidden inputs too, harmlessly: the first and last stops are buttons). */
const FOCUSABLE = 'button,input,select,textarea'

/**
 * Loads the form's definition, then draws it inline, or in a `<dialog>` in the top layer (out of
 * reach of the page's transforms, overflow and z-index): a modal popup, or a slide-in popover that
 * leaves the page usable. A dialog keeps its form while closed, so typed values, a pending
 * submission and a success message survive a close. A missing or unreachable form gets a calm alert.
 */
export class App extends Component<AppProps, AppState> {
  // Declared and set in the constructor, not class fields: see SignupForm.
  declare private controller: AbortController
  /** The popup's <dialog>, or the slide-in's <div> (a dialog element would take focus as a popover). */
  declare private box: RefObject<HTMLDialogElement>
  declare private disarm: () => void
  /** A trigger fired before the definition arrived: open once it is there. */
  declare private wanted: boolean
  /** The definition is here (state catches up on the next render). */
  declare private ready: boolean
  /** Plain fields, not state: two calls in one tick must see each other. */
  declare private isOpen: boolean
  /** The last pointerdown was on the backdrop: a drag from the form that ends there is no click on it. */
  declare private down: boolean
  declare private returnFocus: HTMLElement | null
  /** Dispatches a `flowform:<type>` event on the host; its detail never holds personal data. */
  declare readonly emit: Emit

  constructor(props: AppProps) {
    super(props)
    this.state = { t: createTranslate(bootTexts(props.o?.locale ?? 'en')) }
    this.controller = new AbortController()
    this.box = createRef()
    this.disarm = () => undefined
    this.wanted = this.ready = this.isOpen = this.down = false
    this.returnFocus = null
    this.emit = (type, detail) => {
      if (type === 'success') {
        remember(props.formId)
      }
      if (type === 'view') {
        countView(props.endpoint, props.formId)
        // Seen inline for the first time: the frame that painted it has laid it out, so reading its
        // height here adds no work to that frame. The form's own height: the box holds the reservation.
        if (this.mode() === 'inline') {
          rememberHeight((this.base as Element).firstChild as Element, props.formId, props.o?.locale ?? 'en')
        }
      }
      props.host?.dispatchEvent(
        new CustomEvent(`flowform:${type}`, {
          bubbles: true,
          composed: true,
          detail: { form: props.formId, ...detail },
        }),
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
        // Opened while it loaded: this is when there is something to see.
        if (this.isOpen) {
          this.emit('view')
        }
        this.ready = true
        this.autoOpen()
        return
      }
      const missing = loaded.kind === 'missing'
      // The shop's visitors see a calm message; whoever embedded the form needs the reason: for a
      // 404 where we asked (a wrong endpoint answers one too), else the proxy's own words, such as
      // the page origin it does not allow.
      const reason = missing ? `form "${formId}" was not found at ${endpoint}` : loaded.message
      if (reason) {
        console.error(`[flowform] ${reason}`)
      }
      this.emit('error', { code: missing ? 'form_not_found' : 'load_failed' })
      this.setState({ loaded })
    })
    const key = `${endpoint} ${formId}`
    if (this.mode() === 'inline') {
      // Before the first paint: mount() renders and calls this in one go.
      reserveHeight(this.base as HTMLElement, formId, o.locale ?? 'en')
    } else if (!fired.has(key)) {
      this.disarm = armTrigger(o, () => {
        this.disarm()
        fired.add(key)
        this.wanted = true
        this.autoOpen()
      })
    }
  }

  override componentWillUnmount(): void {
    this.controller.abort()
    this.disarm()
    this.hide(true)
  }

  /**
   * Opens for a trigger: only with a definition to show, and not when the person said no lately.
   * A form whose page part was removed without unmount() is cleaned up instead.
   */
  private autoOpen(): void {
    const { formId, o = {}, gone } = this.props
    if (this.wanted && this.ready) {
      this.wanted = false
      if (!this.base?.isConnected) {
        gone?.()
      } else if (!snoozed(formId, o.frequencyDays ?? 7)) {
        this.show()
      }
    }
  }

  /** Opens a popup or slide-in (no-op inline, when open, or off the page). */
  show(): void {
    const dialog = this.box.current
    if (this.isOpen || !dialog?.isConnected) {
      return
    }
    this.isOpen = true
    this.returnFocus = focused()
    if (this.mode() === 'popup') {
      // Modal: the top layer, the page inert behind it. Focus on the dialog itself, so phones keep
      // their keyboard down.
      lockScroll(true)
      dialog.showModal()
      dialog.focus()
    } else {
      // A popover: the top layer without taking focus (as a <dialog> would). Shown anyway where
      // popovers are missing.
      dialog.hidden = false
      dialog.showPopover?.()
    }
    if (this.ready) {
      this.emit('view')
    }
  }

  /**
   * Closes it and keeps triggers quiet for the frequency period; when it had focus, focus goes back
   * to where it was. Unmounting (`quiet`) closes it too, without the frequency note.
   */
  hide(quiet?: boolean): void {
    const dialog = this.box.current
    if (!this.isOpen || !dialog) {
      return
    }
    this.isOpen = false
    const inside = dialog.contains(focused())
    // Closed first: a modal leaves the page inert, where focus cannot go back. `isOpen` pairs the
    // lock and the unlock, however often show() and hide() are called.
    if (this.mode() === 'popup') {
      dialog.close()
      lockScroll(false)
    } else {
      dialog.hidePopover?.()
      dialog.hidden = true
    }
    if (inside) {
      this.returnFocus?.focus()
    }
    if (!quiet) {
      remember(this.props.formId)
    }
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
    // Keep Tab inside the modal (the browser would let it out to its own toolbar): wrap from the
    // last control to the first and back.
    const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)]
    const index = items.indexOf((box.getRootNode() as ShadowRoot).activeElement as HTMLElement)
    if (event.shiftKey ? index <= 0 : index < 0 || index === items.length - 1) {
      event.preventDefault()
      items.at(event.shiftKey ? -1 : 0)?.focus()
    }
  }

  override render({ endpoint, formId, uid, o = {} }: AppProps, { loaded, fields = [], t }: AppState): JSX.Element {
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
    const modal = mode === 'popup'
    const title = fields.find((f) => f.type === 'title')
    const Box = modal ? 'dialog' : 'div'
    return (
      <Box
        ref={this.box as RefObject<HTMLDivElement & HTMLDialogElement>}
        role="dialog"
        aria-modal={modal}
        aria-label={title?.text || title?.label || t('dialog')}
        tabIndex={-1}
        lang={lang}
        class={modal ? 'dialog' : 'dialog slide'}
        part={`dialog ${mode}`}
        popover={modal ? undefined : 'manual'}
        // The slide-in starts hidden; show() and hide() switch it (a <dialog> needs no such help).
        hidden={!modal}
        onKeyDown={(e) => this.onKey(e)}
        // Closed by the browser (a phone's back gesture, say): catch up. The event is queued, and
        // input runs first: reopened by then (Esc, then Enter on the opener), it is stale.
        onClose={() => this.box.current?.open || this.hide()}
        onPointerDown={(e) => (this.down = onBackdrop(e))}
        onClick={(e) => this.down && onBackdrop(e) && this.hide()}
      >
        <button type="button" class="close" part="close" aria-label={t('close')} onClick={() => this.hide()}>
          ×
        </button>
        {content}
      </Box>
    )
  }
}
