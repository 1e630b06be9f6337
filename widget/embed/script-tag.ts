import { defineElement, SLOT_NAME } from './element'
import type { FlowformGlobal } from './global'
import { installGlobal } from './global'
import type { MountOptions } from '../options/table'
import { complaint, readAttributes } from '../options/table'
import { fail, safely } from './report'

/**
 * Our own `<script data-form>`: its data-* options (the table in options.ts), mounted next to it or
 * into `data-target`. Running the bundle also sets up `window.Flowform` and `<flowform-signup>`.
 */

export const INIT_ATTRIBUTE = 'data-flowform-init'

const SCRIPT_SELECTOR = `script[src*="flowform"][data-form]:not([${INIT_ATTRIBUTE}])`

/** Options a tag that only loads the library may carry: defaults for the API and the custom element. */
const LIBRARY_ATTRIBUTES: readonly string[] = ['data-endpoint', 'data-nonce', INIT_ATTRIBUTE]

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
    const options = script ? readAttributes(script, 'data-') : ({} as MountOptions)
    // By default the proxy that served the bundle answers the API too; the page's CSP nonce for
    // scripts usually covers styles too. Also the defaults of the API and the custom element.
    options.endpoint ??= originOf(script)
    options.nonce ||= script?.nonce || undefined
    const api = installGlobal(window, options)
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
    const wrong = complaint('form', form)
    if (wrong) {
      fail(`data-${wrong}`)
    } else {
      mountFromScript(api, script, options)
    }
  })
}
