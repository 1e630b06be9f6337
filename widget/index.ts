import { h, render } from 'preact'
import { attachStyles } from './attach-styles'
import { isFormId } from './definition'
import { App } from './form/app'
import { VERSION } from './version'

/**
 * The library API: mount a form into any element. The script-tag bootstrap (main.ts) is one
 * caller; `window.Flowform.mount` and later the custom element are others.
 */

export interface MountOptions {
  /** The form's id from the proxy's config: `[a-z0-9-]{1,64}`. */
  form: string
  /** Where the proxy answers; defaults to this page's origin. */
  endpoint?: string
  /** A CSP nonce for the `<style>` used where constructed stylesheets are not supported. */
  nonce?: string
}

export interface FlowformHandle {
  /** Removes the form, its listeners and observers. Safe to call more than once. */
  unmount(): void
}

export type { PublicForm, PublicField, SubmissionValues } from './definition'

export const version: string = VERSION

const mounted = new WeakMap<Element, FlowformHandle>()

/** An absolute http(s) base without a trailing slash, or an explicit error for the caller. */
function resolveEndpoint(endpoint: string | undefined): string {
  let url: URL
  try {
    url = new URL(endpoint ?? window.location.origin, document.baseURI)
  } catch {
    throw new TypeError(`[flowform] endpoint is not a URL: ${JSON.stringify(endpoint)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`[flowform] endpoint must be an http(s) URL: ${JSON.stringify(endpoint)}`)
  }
  return (url.origin + url.pathname).replace(/\/+$/, '')
}

/**
 * Draws the form `options.form` inside `target`, in an open shadow root on a new host element, and
 * returns a handle to remove it. Mounting into the same target again returns the first handle.
 * Throws a TypeError for a bad target, form id or endpoint: this is an explicit API call.
 *
 * @example
 * const form = Flowform.mount(document.querySelector('#signup'), { form: 'welcome' })
 * form.unmount()
 */
export function mount(target: Element, options: MountOptions): FlowformHandle {
  // nodeType rather than instanceof: an element from another frame is still an element.
  if (target?.nodeType !== 1) {
    throw new TypeError('[flowform] mount() needs a DOM element to mount into')
  }
  const existing = mounted.get(target)
  if (existing) {
    return existing
  }
  if (!isFormId(options?.form)) {
    throw new TypeError(`[flowform] form must match [a-z0-9-]{1,64}, got ${JSON.stringify(options?.form)}`)
  }
  const endpoint = resolveEndpoint(options.endpoint)
  const host = document.createElement('div')
  host.setAttribute('data-flowform', options.form)
  const root = host.attachShadow({ mode: 'open' })
  attachStyles(root, options.nonce)
  target.append(host)
  render(h(App, { endpoint, formId: options.form }), root)

  const handle: FlowformHandle = {
    unmount() {
      if (mounted.get(target) !== handle) {
        return
      }
      mounted.delete(target)
      // Rendering nothing unmounts every component: observers disconnect, a pending load aborts.
      render(null, root)
      host.remove()
    },
  }
  mounted.set(target, handle)
  return handle
}
