import { sendView } from '../net/api'
import type { PageState } from './state'

/** Counts one view of the form per page load, however often it is mounted or opened. */
export function countView(page: PageState, endpoint: string, formId: string): void {
  const key = `${endpoint} ${formId}`
  if (!page.views.has(key)) {
    page.views.add(key)
    sendView(endpoint, formId)
  }
}

/**
 * Runs `seen` once, the first time `element` is on screen. Returns the cleanup that stops
 * watching (for an unmount before the form was ever seen).
 */
export function whenVisible(element: Element, seen: () => void): () => void {
  if (typeof IntersectionObserver !== 'function') {
    seen()
    return () => undefined
  }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect()
      seen()
    }
  })
  observer.observe(element)
  return () => observer.disconnect()
}
