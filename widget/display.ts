/**
 * When a popup or slide-in shows itself: the trigger, and the frequency rule that keeps it from
 * nagging. Explicit `open()` calls bypass both.
 */

export type Mode = 'inline' | 'popup' | 'slide-in'

export type Trigger = 'load' | 'delay' | 'scroll' | 'exit' | 'manual'

export interface TriggerOptions {
  trigger?: Trigger | undefined
  /** Seconds, for `delay`; default 5. */
  delay?: number | undefined
  /** Percent of the page scrolled, for `scroll`; default 50. */
  scroll?: number | undefined
}

const DAY_MS = 864e5

// Storage can be blocked (privacy settings, sandboxed frames): then every page load may show it.
const storageKey = (formId: string): string => `flowform:${formId}`

/** Notes that the person closed the form or signed up, for the frequency rule. */
export function remember(formId: string): void {
  try {
    localStorage.setItem(storageKey(formId), String(Date.now()))
  } catch {
    // Blocked storage only means the form may show again.
  }
}

/** Whether triggers stay quiet: closed or signed up less than `days` days ago. */
export function snoozed(formId: string, days: number): boolean {
  try {
    return Date.now() - Number(localStorage.getItem(storageKey(formId))) < days * DAY_MS
  } catch {
    return false
  }
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
export function armTrigger({ trigger = 'load', delay = 5, scroll = 50 }: TriggerOptions, fire: () => void): () => void {
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
