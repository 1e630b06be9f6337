import { isFormId } from '../contract/definition'
import type { FlowformHandle, MountOptions } from './index'
import { HOST_NAME, mount, toggle, version } from './index'

/**
 * The embeds: our own `<script data-form>` (its data-* options, mounted next to it or into
 * `data-target`), the `<flowform-signup>` custom element and `window.Flowform`. Misconfiguration
 * is logged with a `[flowform]` prefix and never thrown: an exception here would land in the shop's
 * page. A second copy of the bundle finds the first one's `window.Flowform` and goes through it, so
 * the page keeps one registry of forms, one global and one element definition.
 */

export const INIT_ATTRIBUTE = 'data-flowform-init'

export const ELEMENT_NAME = 'flowform-signup'

/** The script tag's slot: the element a form is mounted into, right after the tag or at the end of <body>. */
export const SLOT_NAME = 'flowform-slot'

const SCRIPT_SELECTOR = `script[src*="flowform"][data-form]:not([${INIT_ATTRIBUTE}])`

const STRINGS: readonly string[] = ['form', 'endpoint', 'nonce', 'mode', 'trigger', 'locale', 'theme']
const NUMBERS: readonly string[] = ['delay', 'scroll', 'frequency-days']

/** Options a tag that only loads the library may carry: defaults for the API and the custom element. */
const LIBRARY_ATTRIBUTES: readonly string[] = ['data-endpoint', 'data-nonce', INIT_ATTRIBUTE]

export interface FlowformGlobal {
  mount(target: Element, options: MountOptions): FlowformHandle
  /** Opens every mounted popup or slide-in with this form id, whatever its trigger or frequency. */
  open(formId: string): void
  close(formId: string): void
  version: string
}

declare global {
  interface Window {
    Flowform?: Partial<FlowformGlobal> & Record<string, unknown>
  }
}

function fail(message: string): void {
  console.error(message.startsWith('[flowform]') ? message : `[flowform] ${message}`)
}

/** Runs `run`, turning anything it throws into a console error: the shop's page must not see it. */
function safely(run: () => void): void {
  try {
    run()
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}

/**
 * `currentScript` is our tag while the bundle runs; the selector covers the cases where it is not
 * set (the bundle evaluated by a loader). Tags already set up are skipped by the caller.
 */
export function findOwnScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript as HTMLScriptElement | null
  // Bundled into a shop's own script, currentScript is theirs: its data-* are none of our business.
  const ours = current?.tagName === 'SCRIPT' && (current.hasAttribute('data-form') || current.src.includes('flowform'))
  return ours ? current : doc.querySelector<HTMLScriptElement>(SCRIPT_SELECTOR)
}

/** The origin the bundle came from: by default the proxy that served it also answers the API. */
function originOf(script: HTMLScriptElement | null): string | undefined {
  try {
    return script?.src ? new URL(script.src, script.ownerDocument.baseURI).origin : undefined
  } catch {
    return undefined
  }
}

/**
 * The options of an embed from its attributes: `data-mode` etc. on the script tag (`prefix`
 * "data-"), `mode` etc. on the custom element. Values are only converted here; mount() checks them.
 */
export function readOptions(element: Element, prefix: string): MountOptions {
  const options: Record<string, unknown> = { prefill: {} }
  for (const { name, value } of [...element.attributes]) {
    const key = name.startsWith(prefix) ? name.slice(prefix.length) : ''
    if (key.startsWith('prefill-')) {
      ;(options.prefill as Record<string, string>)[key.slice(8)] = value
    } else if (NUMBERS.includes(key)) {
      // "frequency-days" → frequencyDays; an empty value is not 0.
      options[key.replace(/-d/, 'D')] = value.trim() ? Number(value) : NaN
    } else if (STRINGS.includes(key)) {
      options[key] = value
    }
  }
  return options as unknown as MountOptions
}

/** `window.Flowform`: the first copy's, or ours added to what the page put there (a queue, say). */
export function installGlobal(win: Window, defaults: Partial<MountOptions> = {}): FlowformGlobal {
  const existing = win.Flowform
  if (typeof existing?.mount === 'function') {
    return existing as FlowformGlobal
  }
  const api: FlowformGlobal = {
    version,
    mount: (target, options) =>
      // `||`: an empty value (a hidden nonce attribute reads as "") falls back to the library tag's.
      mount(target, {
        ...options,
        endpoint: options?.endpoint || defaults.endpoint,
        nonce: options?.nonce || defaults.nonce,
      }),
    open: (formId) => toggle(formId, true),
    close: (formId) => toggle(formId, false),
  }
  win.Flowform = Object.assign(existing ?? {}, api)
  return api
}

/**
 * `<flowform-signup form="welcome" mode="popup">`: mounts on connect, unmounts on disconnect. Also
 * defines the widget's own plain tags (the host, the script tag's slot), so a page's
 * `:not(:defined) { display: none }` (a common guard against unstyled web components) spares them.
 */
export function defineElement(api: FlowformGlobal): void {
  if (typeof customElements === 'undefined' || customElements.get(ELEMENT_NAME)) {
    return
  }
  for (const name of [HOST_NAME, SLOT_NAME]) {
    customElements.define(name, class extends HTMLElement {})
  }
  customElements.define(
    ELEMENT_NAME,
    class extends HTMLElement {
      declare handle?: FlowformHandle | undefined

      connectedCallback(): void {
        // Moved within the page (disconnected and connected in one go): the form stays as it is.
        if (this.handle) {
          return
        }
        safely(() => {
          const options = readOptions(this, '')
          // Browsers hide a nonce attribute's value from the page ("" once connected); the property keeps it.
          options.nonce = this.nonce || options.nonce
          this.handle = api.mount(this, options)
        })
      }

      disconnectedCallback(): void {
        queueMicrotask(() => {
          if (!this.isConnected) {
            this.handle?.unmount()
            this.handle = undefined
          }
        })
      }

      open(): void {
        this.handle?.open()
      }

      close(): void {
        this.handle?.close()
      }
    },
  )
}

function query(doc: Document, selector: string): Element | null {
  try {
    return doc.querySelector(selector)
  } catch {
    return null
  }
}

function mountFromScript(api: FlowformGlobal, script: HTMLScriptElement, options: MountOptions): void {
  const doc = script.ownerDocument
  const selector = script.getAttribute('data-target')
  // The page's CSP nonce for scripts usually covers styles too, so it is the fallback.
  options.nonce ||= script.nonce || undefined
  options.endpoint ??= originOf(script)
  // A popup or slide-in floats (in the top layer): its host goes at the end of <body>.
  const floating = options.mode === 'popup' || options.mode === 'slide-in'
  // A tag of our own to mount into, not a div: a shop's `main div { … }` must not lay it out.
  const slot = (): Element => doc.createElement(SLOT_NAME)

  if (selector === null && !floating) {
    if (!script.parentElement || script.closest('head')) {
      fail('the script tag is not inside <body>; move it where the form belongs or set data-target')
      return
    }
    const target = slot()
    script.after(target)
    api.mount(target, options)
    return
  }
  const find = (): Element | null =>
    selector === null ? (doc.body?.appendChild(slot()) ?? null) : query(doc, selector)
  const place = (): void => {
    const target = find()
    if (target) {
      api.mount(target, options)
    } else {
      fail(`data-target "${selector}" matches no element`)
    }
  }
  // An async script can run before the parser reaches the target: look again once it has.
  if (doc.readyState === 'loading' && (selector === null ? !doc.body : !query(doc, selector))) {
    doc.addEventListener('DOMContentLoaded', () => safely(place), { once: true })
  } else {
    place()
  }
}

/** Runs the embeds for the script tag that loaded this bundle. Never throws. */
export function boot(doc: Document = document): void {
  safely(() => {
    const script = findOwnScript(doc)
    const api = installGlobal(window, {
      endpoint: script?.getAttribute('data-endpoint') ?? originOf(script),
      nonce: script?.getAttribute('data-nonce') || script?.nonce || undefined,
    })
    defineElement(api)
    if (!script || script.hasAttribute(INIT_ATTRIBUTE)) {
      return
    }
    script.setAttribute(INIT_ATTRIBUTE, '')
    const form = script.getAttribute('data-form')
    if (form === null) {
      // A tag that only loads the library (for the element or the API) is fine; form options without a form are not.
      if ([...script.attributes].some((a) => a.name.startsWith('data-') && !LIBRARY_ATTRIBUTES.includes(a.name))) {
        fail('data-form is missing: add data-form="your-form-id" to the flowform script tag')
      }
      return
    }
    if (isFormId(form)) {
      mountFromScript(api, script, readOptions(script, 'data-'))
    } else {
      fail(`data-form must match [a-z0-9-]{1,64}, got ${JSON.stringify(form)}`)
    }
  })
}
