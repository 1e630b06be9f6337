import { isFormId } from './definition'
import type { FlowformHandle, MountOptions } from './index'
import { mount, version } from './index'

/**
 * The script-tag embed: find our own `<script data-form>`, read its data-* options and mount the
 * form next to it or into `data-target`. Misconfiguration is logged with a `[flowform]` prefix and
 * never thrown: an exception here would land in the shop's page.
 */

export const INIT_ATTRIBUTE = 'data-flowform-init'

const SCRIPT_SELECTOR = `script[src*="flowform"][data-form]:not([${INIT_ATTRIBUTE}])`

export interface FlowformGlobal {
  mount(target: Element, options: MountOptions): FlowformHandle
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

/**
 * `currentScript` is our tag while the bundle runs; the selector covers the cases where it is not
 * set (the bundle evaluated by a loader) and skips tags that were already set up.
 */
export function findOwnScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript as HTMLScriptElement | null
  if (current?.tagName === 'SCRIPT' && current.hasAttribute('data-form')) {
    return current.hasAttribute(INIT_ATTRIBUTE) ? null : current
  }
  return doc.querySelector<HTMLScriptElement>(SCRIPT_SELECTOR)
}

/** The origin the bundle came from: by default the proxy that served it also answers the API. */
function originOf(script: HTMLScriptElement | null): string | undefined {
  try {
    return script?.src ? new URL(script.src, script.ownerDocument.baseURI).origin : undefined
  } catch {
    return undefined
  }
}

/** `window.Flowform`: added to what is there already, so a queue or a second copy keeps working. */
export function installGlobal(win: Window, defaultEndpoint?: string): void {
  const api: FlowformGlobal = {
    version,
    mount: (target, options) => mount(target, { ...options, endpoint: options?.endpoint ?? defaultEndpoint }),
  }
  win.Flowform = Object.assign(win.Flowform ?? {}, api)
}

function query(doc: Document, selector: string): Element | null {
  try {
    return doc.querySelector(selector)
  } catch {
    return null
  }
}

/** Runs `run`, turning anything it throws into a console error: the shop's page must not see it. */
function safely(run: () => void): void {
  try {
    run()
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}

function mountFromScript(script: HTMLScriptElement, form: string, endpoint: string | undefined): void {
  const doc = script.ownerDocument
  const selector = script.getAttribute('data-target')
  // The page's CSP nonce for scripts usually covers styles too, so it is the fallback.
  const nonce = script.getAttribute('data-nonce') || script.nonce || undefined
  const options: MountOptions = { form, endpoint, nonce }

  if (selector === null) {
    if (!script.parentElement || script.closest('head')) {
      fail('the script tag is not inside <body>; move it where the form belongs or set data-target')
      return
    }
    const slot = doc.createElement('div')
    script.after(slot)
    mount(slot, options)
    return
  }
  const place = (): void => {
    const target = query(doc, selector)
    if (target) {
      mount(target, options)
    } else {
      fail(`data-target "${selector}" matches no element`)
    }
  }
  // An async script can run before the parser reaches the target: look again once it has.
  if (doc.readyState === 'loading' && !query(doc, selector)) {
    doc.addEventListener('DOMContentLoaded', () => safely(place), { once: true })
  } else {
    place()
  }
}

/** Runs the embed for the script tag that loaded this bundle. Never throws. */
export function boot(doc: Document = document): void {
  safely(() => {
    const script = findOwnScript(doc)
    installGlobal(window, originOf(script ?? (doc.currentScript as HTMLScriptElement | null)))
    if (!script) {
      // Nothing left to set up is fine (the bundle was loaded twice); no tag at all is a mistake.
      if (!doc.querySelector(`script[${INIT_ATTRIBUTE}]`)) {
        fail('no <script data-form="your-form-id"> found: add data-form to the flowform script tag')
      }
      return
    }
    script.setAttribute(INIT_ATTRIBUTE, '')
    const form = script.getAttribute('data-form')
    if (isFormId(form)) {
      mountFromScript(script, form, script.getAttribute('data-endpoint') ?? originOf(script))
    } else {
      fail(`data-form must match [a-z0-9-]{1,64}, got ${JSON.stringify(form)}`)
    }
  })
}
