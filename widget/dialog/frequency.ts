/**
 * The frequency rule that keeps a popup or slide-in from nagging: after a close or a signup its
 * triggers stay quiet for some days. Storage can be blocked (privacy settings, sandboxed frames):
 * then every page load may show it.
 */

const DAY_MS = 864e5

const storageKey = (formId: string): string => `flowform:${formId}`

/** Notes that the person closed the form or signed up. */
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
