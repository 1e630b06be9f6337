import { sendView } from './api'

/** Views already counted on this page load, by endpoint and form: a remount must not count again. */
const counted = new Set<string>()

/**
 * Counts one view of the form the first time `element` is on screen. Returns the cleanup that
 * stops watching (for an unmount before the form was ever seen).
 */
export function countViewWhenVisible(element: Element, endpoint: string, formId: string): () => void {
  const key = `${endpoint} ${formId}`
  const count = (): void => {
    if (!counted.has(key)) {
      counted.add(key)
      sendView(endpoint, formId)
    }
  }
  if (counted.has(key)) {
    return () => undefined
  }
  if (typeof IntersectionObserver !== 'function') {
    count()
    return () => undefined
  }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect()
      count()
    }
  })
  observer.observe(element)
  return () => observer.disconnect()
}
