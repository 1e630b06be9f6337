import type { Trigger } from '../options/table'

/** When a popup or slide-in shows itself. Explicit `open()` calls bypass it (and the frequency rule). */
export interface TriggerOptions {
  trigger: Trigger
  /** Seconds, for `delay`. */
  delay: number
  /** Percent of the page scrolled, for `scroll`. */
  scroll: number
}

function listen<K extends keyof WindowEventMap & keyof DocumentEventMap>(
  target: Window | Document,
  type: K,
  handler: (event: WindowEventMap[K]) => void,
): () => void {
  target.addEventListener(type, handler as EventListener, { passive: true })
  return () => target.removeEventListener(type, handler as EventListener)
}

/** Calls `fire` when the trigger happens; returns the cleanup that removes every listener or timer. */
export function armTrigger({ trigger, delay, scroll }: TriggerOptions, fire: () => void): () => void {
  if (trigger === 'load') {
    fire()
  } else if (trigger === 'delay') {
    const timer = setTimeout(fire, delay * 1000)
    return () => clearTimeout(timer)
  } else if (trigger === 'scroll') {
    return listen(window, 'scroll', () => {
      const page = document.documentElement
      if ((scrollY / (page.scrollHeight - innerHeight)) * 100 >= scroll) {
        fire()
      }
    })
  } else if (trigger === 'exit') {
    // Exit intent: the pointer leaves the page through its top edge, towards the tabs and the address bar.
    return listen(document, 'mouseout', (event) => {
      if (!event.relatedTarget && event.clientY <= 0) {
        fire()
      }
    })
  }
  return () => undefined
}
