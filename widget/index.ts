import { createRef, h, render } from 'preact'
import { attachStyles } from './attach-styles'
import { prefillValues } from './context'
import { isFormId } from '../contract/definition'
import type { Mode, Trigger } from './display'
import type { AppProps } from './form/app'
import { App } from './form/app'
import { pickLocale } from '../contract/texts'
import { VERSION } from './version'

/**
 * The library API: mount a form into any element. The script-tag bootstrap, the custom element
 * and `window.Flowform` all end up here, so every option is checked in this one place.
 */

export type Theme = 'light' | 'dark' | 'auto'

export interface MountOptions {
  /** The form's id from the proxy's config: `[a-z0-9-]{1,64}`. */
  form: string
  /** Where the proxy answers; defaults to this page's origin. */
  endpoint?: string | undefined
  /** A CSP nonce for the `<style>` used where constructed stylesheets are not supported. */
  nonce?: string | undefined
  /** `inline` (default): where it is mounted; `popup`: a modal dialog; `slide-in`: a corner panel. */
  mode?: Mode | undefined
  /** When a popup or slide-in opens by itself; default `load`. `manual`: only `open()`. */
  trigger?: Trigger | undefined
  /** Seconds after mounting, for `trigger: 'delay'`; default 5. */
  delay?: number | undefined
  /** Percent of the page scrolled, for `trigger: 'scroll'`; default 50. */
  scroll?: number | undefined
  /** Days triggers stay quiet after a close or a signup; default 7, 0 = every time. */
  frequencyDays?: number | undefined
  /** A BCP 47 language tag; default: the browser's languages. */
  locale?: string | undefined
  /** `light` (default), `dark`, or `auto` (follows prefers-color-scheme). */
  theme?: Theme | undefined
  /** Values for visible fields by name; they win over the page's query string. */
  prefill?: Record<string, string> | undefined
}

export interface FlowformHandle {
  /** Removes the form and every listener, timer and observer it set up. Safe to call more than once. */
  unmount(): void
  /** Opens a popup or slide-in now, whatever the trigger and frequency say (no-op inline). */
  open(): void
  /** Closes a popup or slide-in. */
  close(): void
}

export type { PublicForm, PublicField, SubmissionValues } from '../contract/definition'

export const version: string = VERSION

/** The host's tag: a name of our own, not a div, so a shop's `main div { … }` does not lay the form out. */
export const HOST_NAME = 'flowform-root'

const mounted = new WeakMap<Element, FlowformHandle>()

/** Every mounted form's host, for `Flowform.open(id)` / `close(id)`. */
const live = new Map<FlowformHandle, HTMLElement>()

let mounts = 0

const CHOICES: Record<string, readonly string[]> = {
  mode: ['inline', 'popup', 'slide-in'],
  trigger: ['load', 'delay', 'scroll', 'exit', 'manual'],
  theme: ['light', 'dark', 'auto'],
}

/** Upper bounds of the numeric options (all start at 0). */
const NUMBERS: Record<string, number> = { delay: 86400, scroll: 100, frequencyDays: 3650 }

function invalid(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`[flowform] ${name} must be ${expected}, got ${JSON.stringify(value)}`)
}

/** Throws a prefixed TypeError for the first option that makes no sense. */
function checkOptions(options: MountOptions): void {
  const values = options as unknown as Record<string, unknown>
  for (const [name, list] of Object.entries(CHOICES)) {
    const value = values[name]
    if (value !== undefined && !list.includes(value as string)) {
      throw invalid(name, `one of ${list.join(', ')}`, value)
    }
  }
  for (const [name, max] of Object.entries(NUMBERS)) {
    const value = values[name]
    if (value !== undefined && !((value as number) >= 0 && (value as number) <= max)) {
      throw invalid(name, `a number from 0 to ${max}`, value)
    }
  }
  if (options.locale !== undefined && !/^[a-z]{2,3}(-[a-z\d]{1,8})*$/i.test(options.locale)) {
    throw invalid('locale', 'a language tag such as "de" or "pt-BR"', options.locale)
  }
}

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
  if (!isFormId(options?.form)) {
    throw new TypeError(`[flowform] form must match [a-z0-9-]{1,64}, got ${JSON.stringify(options?.form)}`)
  }
  checkOptions(options)
  const endpoint = resolveEndpoint(options.endpoint)
  const { form, theme } = options
  const host = document.createElement(HOST_NAME)
  host.setAttribute('data-flowform', form)
  if (theme) {
    host.setAttribute('data-theme', theme)
  }
  const root = host.attachShadow({ mode: 'open' })
  attachStyles(root, options.nonce)
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
  const app = createRef<App>()
  const locale = pickLocale(options.locale ? [options.locale] : (navigator.languages ?? [navigator.language]))
  const o = { ...options, locale, prefill: prefillValues(options.prefill) }
  const handle: FlowformHandle = {
    unmount() {
      if (mounted.get(target) !== handle) {
        return
      }
      mounted.delete(target)
      live.delete(handle)
      // Rendering nothing unmounts every component: triggers, observers and a pending load stop.
      render(null, root)
      host.remove()
    },
    open: () => app.current?.show(),
    close: () => app.current?.hide(),
  }
  mounted.set(target, handle)
  live.set(handle, host)
  // `ref` is Preact's own prop (the App instance), missing from the component's props type.
  const props = { ref: app, endpoint, formId: form, host, uid: `ff${++mounts}`, o, gone: handle.unmount }
  render(h(App, props as AppProps), root)
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
      if (open) {
        handle.open()
      } else {
        handle.close()
      }
    }
  }
  if (!found) {
    console.error(`[flowform] no form "${formId}" is mounted on this page`)
  }
}
