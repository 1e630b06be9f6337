import type { Page } from 'playwright-core'

/**
 * Describes the element that has keyboard focus, looking through open shadow roots:
 * `input[name=email]`, `button "Sign up"`, `a "Shop home"`, `div[role=status]`, `body`.
 * Readable in a failing assertion, and stable across re-renders.
 */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element: Element | null = document.activeElement
    while (element?.shadowRoot?.activeElement) {
      element = element.shadowRoot.activeElement
    }
    if (!element) {
      return 'nothing'
    }
    const tag = element.tagName.toLowerCase()
    const name = element.getAttribute('name')
    if (name) {
      return `${tag}[name=${name}]`
    }
    const role = element.getAttribute('role')
    if (role && tag === 'div') {
      return `div[role=${role}]`
    }
    const text = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim()
    return text && tag !== 'body' && tag !== 'html' ? `${tag} "${text}"` : tag
  })
}

/** Whether the focused element (through shadow roots) sits inside the element matching `selector`'s subtree. */
export function focusIsInside(page: Page, hostSelector: string): Promise<boolean> {
  return page.evaluate((selector) => {
    const host = document.querySelector(selector)
    let element: Element | null = document.activeElement
    while (element?.shadowRoot?.activeElement) {
      element = element.shadowRoot.activeElement
    }
    // Walk up across shadow boundaries.
    for (let node: Node | null = element; node;) {
      if (node === host) {
        return true
      }
      node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null)
    }
    return false
  }, hostSelector)
}
