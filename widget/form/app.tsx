// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX } from 'preact'
import { Component, Fragment, h } from 'preact'
import type { LoadResult } from '../net/api'
import { loadForm } from '../net/api'
import { withContext } from '../page/context'
import { countView } from '../page/count-view'
import type { PublicField } from '../../contract/definition'
import { remember } from '../dialog/frequency'
import type { Emit } from '../page/events'
import { rememberHeight, reserveHeight } from '../page/reserve-height'
import type { Locale, Translate } from '../../contract/texts'
import { bootTexts, createTranslate } from '../../contract/texts'
import { SignupForm } from './signup-form'
import { supportedFields } from './supported-fields'
import type { DialogController } from '../dialog/controller'
import { deferredDialog } from '../dialog/deferred'
import type { CheckedOptions } from '../options/table'
import type { PageState } from '../page/state'

export type DisplayOptions = Pick<
  CheckedOptions,
  'mode' | 'trigger' | 'delay' | 'scroll' | 'frequencyDays' | 'nonce'
> & {
  locale: Locale
  /** Values for visible fields by lower-case name (see page/context.ts). */
  prefill?: Record<string, string> | undefined
}

/** A form drawn without mount() (in tests): inline, in English. */
const INLINE = { mode: 'inline', locale: 'en' } as DisplayOptions

export type { Emit, EventDetail } from '../page/events'

export interface AppProps {
  endpoint: string
  formId: string
  /** What the forms on this page share (counted views, fired triggers, the scroll lock). */
  page: PageState
  /** The element the `flowform:*` events are dispatched on. */
  host?: Element | undefined
  /** Prefix of the element ids, unique per mount. */
  uid?: string | undefined
  o?: DisplayOptions | undefined
  /** Called when a trigger finds the form removed from the page without unmount(): clean it up. */
  gone?: (() => void) | undefined
  /** The definition request mount() started before rendering; absent, the App asks itself. */
  loading?: Promise<LoadResult> | undefined
}

interface AppState {
  loaded?: LoadResult
  fields?: PublicField[]
  t: Translate
  /** Signed up here: the teaser has done its job. */
  signed?: boolean
}

/**
 * Loads the form's definition, then draws it inline, or in a popup or slide-in whose opening,
 * closing, focus and triggers a DialogController runs. A dialog keeps its form while closed, so
 * typed values, a pending submission and a success message survive a close. A missing or
 * unreachable form gets a calm alert.
 */
export class App extends Component<AppProps, AppState> {
  // Declared and set in the constructor, not class fields: see SignupForm.
  declare private controller: AbortController
  /** Only for a popup or slide-in. */
  declare readonly dialog?: DialogController
  declare readonly emit: Emit

  constructor(props: AppProps) {
    super(props)
    const { endpoint, formId, page, host, o = INLINE } = props
    this.state = { t: createTranslate(bootTexts(o.locale)) }
    this.controller = new AbortController()
    this.emit = (type, detail) => {
      if (type === 'success') {
        remember(formId)
        this.setState({ signed: true })
        // For the shop's CSS: a space it reserved for the form may let go (`:has([data-signed])`).
        host?.setAttribute('data-signed', '')
      }
      if (type === 'view') {
        countView(page, endpoint, formId)
        // Seen inline for the first time: the frame that painted it has laid it out, so reading its
        // height here adds no work to that frame. The form's own height: the box holds the reservation.
        if (!this.dialog) {
          rememberHeight((this.base as Element).firstChild as Element, formId, o.locale)
        }
      }
      // A `flowform:<type>` event on the host; its detail never holds personal data.
      host?.dispatchEvent(
        new CustomEvent(`flowform:${type}`, { bubbles: true, composed: true, detail: { form: formId, ...detail } }),
      )
    }
    if (o.mode !== 'inline') {
      // endpoint, formId, page and gone from the props; the trigger and frequency from the options.
      // The controller and its styles are a lazy chunk: inline forms, the most, never load them.
      this.dialog = deferredDialog(
        {
          ...props,
          ...o,
          // The component's own DOM node is the box (DialogBox draws nothing around it).
          box: () => this.base as HTMLElement | null,
          emit: this.emit,
        },
        o.nonce,
      )
    }
  }

  override componentDidMount(): void {
    const { endpoint, formId, o = INLINE, loading } = this.props
    const { signal } = this.controller
    const locale = o.locale
    void (loading ?? loadForm(endpoint, formId, locale, signal)).then((loaded) => {
      if (signal.aborted) {
        return
      }
      if (loaded.kind === 'ready') {
        const { fields, texts } = loaded.form
        this.setState({
          loaded,
          fields: withContext(supportedFields(fields)),
          t: createTranslate({ ...bootTexts(locale), ...texts }),
        })
        this.dialog?.loaded()
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
    if (this.dialog) {
      this.dialog.arm()
    } else {
      // Before the first paint: mount() renders and calls this in one go.
      reserveHeight(this.base as HTMLElement, formId, locale)
    }
  }

  override componentWillUnmount(): void {
    this.controller.abort()
    this.dialog?.destroy()
  }

  override render({ endpoint, formId, uid, o = INLINE }: AppProps, state: AppState): JSX.Element {
    const { loaded, fields = [], t } = state
    const lang = (loaded?.kind === 'ready' && loaded.form.locale) || o.locale
    const content = !loaded ? (
      <div class="loading" part="loading" aria-busy="true" />
    ) : loaded.kind !== 'ready' ? (
      <div role="alert" part="alert" class="alert">
        {t('load.failed')}
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
        inline={!this.dialog}
        locale={lang}
        prefill={o.prefill}
        nonce={o.nonce}
      />
    )
    if (!this.dialog) {
      return (
        <div lang={lang} class="box">
          {content}
        </div>
      )
    }
    const title = fields.find((f) => f.type === 'title')
    const modal = o.mode === 'popup'
    const Box = modal ? 'dialog' : 'div'
    const { headline, text, image, teaser } = (loaded?.kind === 'ready' && loaded.form.display) || {}
    // The first node is the box the controller opens (this.base); the teaser stays on the page
    // beside it, so focus can go back to it when the box closes.
    return (
      <Fragment>
        <Box
          role="dialog"
          aria-modal={modal}
          aria-label={headline || title?.text || title?.label || t('dialog')}
          tabIndex={-1}
          lang={lang}
          class={modal ? 'dialog' : 'dialog slide'}
          part={`dialog ${o.mode}`}
          popover={modal ? undefined : 'manual'}
          hidden={!modal}
          {...this.dialog.on}
        >
          <button type="button" class="close" part="close" aria-label={t('close')} onClick={() => this.dialog?.close()}>
            ×
          </button>
          {image ? (
            <img part="image" class="image" alt={image.alt} src={image.src} width={image.width} height={image.height} />
          ) : null}
          {headline ? <h2 part="headline">{headline}</h2> : null}
          {text ? (
            <p part="text" class="text">
              {text}
            </p>
          ) : null}
          {content}
        </Box>
        {teaser && !state.signed ? (
          <button type="button" class="teaser" part="teaser" onClick={() => this.dialog?.open()}>
            {teaser}
          </button>
        ) : null}
      </Fragment>
    )
  }
}
