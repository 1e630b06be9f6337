import type { PageState } from '../page/state'

/**
 * Locks (or unlocks) the page's scroll for a modal. Counted on the page, so two open popups need
 * two unlocks, and the page's own value comes back after the last.
 */
export function lockScroll(page: PageState, lock: boolean): void {
  // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
  const style = document.documentElement.style
  if (lock ? !page.locks++ : !--page.locks) {
    if (lock) {
      page.overflow = style.overflow
    }
    style.overflow = lock ? 'hidden' : page.overflow
  }
}
