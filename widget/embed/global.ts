import { VERSION as version } from './version'
import type { FlowformHandle } from './mount'
import { mount, toggle } from './mount'
import type { MountOptions } from '../options/table'

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

/**
 * `window.Flowform`: the first copy's, or ours added to what the page put there (a queue, say). A
 * second copy of the bundle goes through the first one's, so the page keeps one registry of forms,
 * one global and one element definition.
 */
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
