import { remember, snoozed } from './frequency'
import type { TriggerOptions } from './triggers'
import { armTrigger } from './triggers'
import type { PageState } from '../page/state'
import { lockScroll } from './scroll-lock'
import { focused, onBackdrop, trapTab } from './focus'

export interface DialogOptions extends TriggerOptions {
  /** `popup`: modal, scroll locked, Tab kept inside. `slide-in`: leaves the page usable. */
  mode: string
  /** With the form, what a trigger fires once per page load for, whatever remounts. */
  endpoint: string
  formId: string
  frequencyDays: number
  page: PageState
  /** The popup's <dialog>, or the slide-in's <div> (a dialog element would take focus as a popover). */
  box: () => HTMLElement | null
  /** Shown with a definition (`view`), or closed (`close`). */
  emit: (type: 'view' | 'close') => void
  /** A trigger found the form removed from the page without unmount(): clean it up. */
  gone?: (() => void) | undefined
}

export interface DialogController {
  /** Arms the trigger, unless it already fired on this page load. */
  arm(): void
  /** The definition arrived: there is something to see. */
  loaded(): void
  /** Unmounting: stops the trigger and closes, without the frequency note. */
  destroy(): void
  /** Opens now, whatever the trigger and frequency say (no-op when open, or off the page). */
  open(): void
  /**
   * Closes it and keeps triggers quiet for the frequency period; when it had focus, focus goes back
   * to where it was. `quiet`: without the frequency note.
   */
  close(quiet?: boolean): void
  /** The box's event handlers, named as its props: closures, which need no `this`. */
  on: {
    /** Esc closes; in a popup, Tab stays inside. */
    onKeyDown(event: KeyboardEvent): void
    /** The browser closed the `<dialog>` (a phone's back gesture, say). */
    onClose(): void
    onPointerDown(event: MouseEvent): void
    /** A click on the backdrop (pressed there too) closes it. */
    onClick(event: MouseEvent): void
  }
}

/**
 * The imperative shell of a popup or slide-in, outside Preact: opening and closing, where focus
 * goes, the page's scroll, the trigger and the frequency rule. The component only draws the box
 * and hands its events here. Plain variables, not component state: two calls in one tick must see
 * each other (and a closure's variables cost the bundle less than an object's fields).
 */
export function createDialog(options: DialogOptions): DialogController {
  const { mode, endpoint, formId, frequencyDays, page, box, emit, gone } = options
  const modal = mode === 'popup'
  const key = `${endpoint} ${formId}`
  let disarm = (): void => undefined
  /** A trigger fired before the definition arrived: open once it is there. */
  let wanted = false
  /** The definition is here. */
  let ready = false
  let isOpen = false
  /** The last pointerdown was on the backdrop: a drag from the form that ends there is no click on it. */
  let down = false
  let returnFocus: HTMLElement | null = null

  /**
   * Opens for a trigger: only with a definition to show, and not when the person said no lately.
   * A form whose page part was removed without unmount() is cleaned up instead.
   */
  const autoOpen = (): void => {
    if (wanted && ready) {
      wanted = false
      if (!box()?.isConnected) {
        gone?.()
      } else if (!snoozed(formId, frequencyDays)) {
        open()
      }
    }
  }

  const open = (): void => {
    const dialog = box()
    if (isOpen || !dialog?.isConnected) {
      return
    }
    isOpen = true
    returnFocus = focused()
    if (modal) {
      // Modal: the top layer, the page inert behind it. Focus on the dialog itself, so phones keep
      // their keyboard down.
      lockScroll(page, true)
      ;(dialog as HTMLDialogElement).showModal()
      dialog.focus()
    } else {
      // A popover: the top layer without taking focus (as a <dialog> would). Shown anyway where
      // popovers are missing.
      dialog.hidden = false
      dialog.showPopover?.()
    }
    if (ready) {
      emit('view')
    }
  }

  const close = (quiet?: boolean): void => {
    const dialog = box()
    if (!isOpen || !dialog) {
      return
    }
    isOpen = false
    const inside = dialog.contains(focused())
    // Closed first: a modal leaves the page inert, where focus cannot go back. `isOpen` pairs the
    // lock and the unlock, however often open() and close() are called.
    if (modal) {
      ;(dialog as HTMLDialogElement).close()
      lockScroll(page, false)
    } else {
      dialog.hidePopover?.()
      dialog.hidden = true
    }
    if (inside) {
      returnFocus?.focus()
    }
    if (!quiet) {
      remember(formId)
    }
    emit('close')
  }

  return {
    arm() {
      if (!page.triggered.has(key)) {
        disarm = armTrigger(options, () => {
          disarm()
          page.triggered.add(key)
          wanted = true
          autoOpen()
        })
      }
    },
    loaded() {
      // Opened while it loaded: this is when there is something to see.
      if (isOpen) {
        emit('view')
      }
      ready = true
      autoOpen()
    },
    destroy() {
      disarm()
      close(true)
    },
    open,
    close,
    on: {
      onKeyDown(event) {
        const dialog = box()
        if (event.key === 'Escape') {
          event.stopPropagation()
          close()
        } else if (event.key === 'Tab' && modal && dialog) {
          trapTab(dialog, event)
        }
      },
      onClose() {
        // The event is queued, and input runs first: reopened by then (Esc, then Enter on the
        // opener), it is stale.
        if (!(box() as HTMLDialogElement | null)?.open) {
          close()
        }
      },
      onPointerDown(event) {
        down = onBackdrop(event)
      },
      onClick(event) {
        if (down && onBackdrop(event)) {
          close()
        }
      },
    },
  }
}
