import type { FlowformGlobal } from './global'
import type { FlowformHandle } from './mount'
import { HOST_NAME } from './mount'
import { readAttributes } from '../options/table'
import { safely } from './report'

export const ELEMENT_NAME = 'flowform-signup'

/** The script tag's slot: the element a form is mounted into, right after the tag or at the end of <body>. */
export const SLOT_NAME = 'flowform-slot'

/**
 * `<flowform-signup form="welcome" mode="popup">`: mounts on connect, unmounts on disconnect; its
 * attributes are the options of the table without `data-`. Also defines the widget's own plain tags
 * (the host, the script tag's slot), so a page's `:not(:defined) { display: none }` (a common guard
 * against unstyled web components) spares them.
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
          const options = readAttributes(this, '')
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
