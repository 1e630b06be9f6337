/** The focused element, looking into shadow roots (another widget, or ours). */
export function focused(): HTMLElement | null {
  let active = document.activeElement
  while (active?.shadowRoot?.activeElement) {
    active = active.shadowRoot.activeElement
  }
  return active as HTMLElement | null
}

/** What Tab stops at in the dialog (hidden inputs too, harmlessly: the first and last stops are buttons). */
const FOCUSABLE = 'button,input,select,textarea'

/**
 * Keeps Tab inside a modal `box` (the browser would let it out to its own toolbar): wraps from the
 * last control to the first and back.
 */
export function trapTab(box: Element, event: KeyboardEvent): void {
  const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)]
  const index = items.indexOf((box.getRootNode() as ShadowRoot).activeElement as HTMLElement)
  if (event.shiftKey ? index <= 0 : index < 0 || index === items.length - 1) {
    event.preventDefault()
    items.at(event.shiftKey ? -1 : 0)?.focus()
  }
}

/** A pointer event on a modal dialog's ::backdrop: aimed at the dialog itself, outside its box. */
export function onBackdrop(event: MouseEvent): boolean {
  const dialog = event.currentTarget as Element
  const { left, right, top, bottom } = dialog.getBoundingClientRect()
  const { clientX: x, clientY: y } = event
  return event.target === dialog && (x < left || x > right || y < top || y > bottom)
}
