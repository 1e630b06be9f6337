import { createRef, h, render } from 'preact'
import { attachStyles } from '../page/attach-styles'
import { prefillValues } from '../page/context'
import type { AppProps } from '../form/app'
import { App } from '../form/app'
import { pickLocale } from '../../contract/texts'
import { createPageState } from '../page/state'
import type { CheckedOptions, MountOptions } from '../options/table'
import { checkOptions, resolveEndpoint } from '../options/table'
import { loadForm } from '../net/api'

/**
 * The library API: mount a form into any element. The script tag, the custom element and
 * `window.Flowform` all end up here, so every option is checked in this one place (options.ts).
 */

export interface FlowformHandle {
  /** Removes the form and every listener, timer and observer it set up. Safe to call more than once. */
  unmount(): void
  /** Opens a popup or slide-in now, whatever the trigger and frequency say (no-op inline). */
  open(): void
  /** Closes a popup or slide-in. */
  close(): void
}

/** The host's tag: a name of our own, not a div, so a shop's `main div { … }` does not lay the form out. */
export const HOST_NAME = 'flowform-root'

/*
 * This copy of the bundle's registry: one per page, as a second copy goes through the first one's
 * `window.Flowform`. Everything else the forms on the page share hangs off `page`, handed down.
 */
const page = createPageState()
const mounted = new WeakMap<Element, FlowformHandle>()
/** Every mounted form's host, for `Flowform.open(id)` / `close(id)`. */
const live = new Map<FlowformHandle, HTMLElement>()
let mounts = 0

/** A shadow root on a new host for `form`, with the widget's styles, in `target`. */
function createHost(target: Element, { form, theme, nonce }: CheckedOptions): ShadowRoot {
  const host = document.createElement(HOST_NAME)
  host.setAttribute('data-flowform', form)
  if (theme) {
    host.setAttribute('data-theme', theme)
  }
  const root = host.attachShadow({ mode: 'open' })
  attachStyles(page, root, nonce)
  // Typing in the form is not the page's business: a shop's shortcut ("/" for search) sees the host
  // as the target, not an input, and would take the key. Tab and Esc still reach the page's own
  // focus traps and menus.
  for (const type of ['keydown', 'keypress', 'keyup']) {
    root.addEventListener(type, (event) => {
      if (
        /^(INPUT|SELECT|TEXTAREA)$/.test((event.target as Element).tagName) &&
        !/^(Tab|Escape)$/.test((event as KeyboardEvent).key)
      ) {
        event.stopPropagation()
      }
    })
  }
  target.append(host)
  return root
}

/**
 * Draws the form `options.form` inside `target`, in an open shadow root on a new host element, and
 * returns a handle to open, close or remove it. Mounting into the same target again returns the
 * first handle. Throws a TypeError for a bad target or option: this is an explicit API call.
 *
 * @example
 * const form = Flowform.mount(document.querySelector('#signup'), { form: 'welcome', mode: 'popup', trigger: 'manual' })
 * form.open()
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
  const checked = checkOptions(options)
  const endpoint = resolveEndpoint(checked.endpoint)
  const locale = pickLocale(checked.locale ? [checked.locale] : (navigator.languages ?? [navigator.language]))
  // The definition is asked for first, before the host, its styles and Preact's first render: the
  // network works while the main thread does the rest.
  const stop = new AbortController()
  const loading = loadForm(endpoint, checked.form, locale, stop.signal)
  const root = createHost(target, checked)
  const host = root.host as HTMLElement
  const app = createRef<App>()
  const o = { ...checked, locale, prefill: prefillValues(checked.prefill) }
  const handle: FlowformHandle = {
    unmount() {
      if (mounted.get(target) !== handle) {
        return
      }
      stop.abort()
      mounted.delete(target)
      live.delete(handle)
      // Rendering nothing unmounts every component: triggers, observers and a pending load stop.
      render(null, root)
      host.remove()
    },
    open: () => app.current?.dialog?.open(),
    close: () => app.current?.dialog?.close(),
  }
  mounted.set(target, handle)
  live.set(handle, host)
  // `ref` is Preact's own prop (the App instance), missing from the component's props type.
  const props = { ref: app, endpoint, formId: checked.form, page, host, uid: `ff${++mounts}`, o, loading }
  render(h(App, { ...props, gone: handle.unmount } as AppProps), root)
  return handle
}

/**
 * Opens (or closes) every mounted form with this id that is still on the page; one a single-page
 * shop dropped without unmounting it is unmounted now. Says so when there is none.
 */
export function toggle(formId: string, open: boolean): void {
  let found = false
  for (const [handle, host] of live) {
    if (!host.isConnected) {
      handle.unmount()
    } else if (host.getAttribute('data-flowform') === formId) {
      found = true
      handle[open ? 'open' : 'close']()
    }
  }
  if (!found) {
    console.error(`[flowform] no form "${formId}" is mounted on this page`)
  }
}
