import type { Page } from 'playwright-core'

export interface CspViolation {
  directive: string
  blockedURI: string
  sample: string
}

export interface PageWatch {
  /** `securitypolicyviolation` events seen by the page, in every frame's document. */
  cspViolations: CspViolation[]
  /** console.error messages (Chromium also reports CSP refusals here). */
  consoleErrors: string[]
  /** Uncaught exceptions in the page. */
  pageErrors: string[]
  /** `<status> <url>` of every response with a status of 400 or more. */
  failedResponses: string[]
}

/**
 * Records what a page complains about. Call before `goto`: the listener is an init script, which
 * DevTools injects outside the page's CSP, and it reports through an exposed binding.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { cspViolations: [], consoleErrors: [], pageErrors: [], failedResponses: [] }
  await page.exposeBinding('__flowformTestCsp', (_source, violation: CspViolation) => {
    watch.cspViolations.push(violation)
  })
  await page.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const report = (window as unknown as { __flowformTestCsp: (v: unknown) => void }).__flowformTestCsp
        void report({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample })
      },
      true,
    )
  })
  page.on('console', (message) => {
    if (message.type() === 'error') {
      watch.consoleErrors.push(message.text())
    }
  })
  page.on('pageerror', (error) => watch.pageErrors.push(error.message))
  page.on('response', (response) => {
    if (response.status() >= 400) {
      watch.failedResponses.push(`${response.status()} ${response.url()}`)
    }
  })
  return watch
}
