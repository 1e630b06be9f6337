import { existsSync } from 'node:fs'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { tempDir } from './temp-dir'

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'

/** Startup takes 5–10 s on a busy two-core machine; a hung start fails the test file instead of the run. */
const LAUNCH_MS = 45_000
/** One BiDi command (a goto, an evaluate) that takes longer than this is a hang, not a slow machine. */
const COMMAND_MS = 30_000
/** Waits for something in the page (a selector, a status text). */
const WAIT_MS = 10_000
/** For `expect.poll`, whose own default (1 s) is too short for a slide-in's delay or a loaded machine. */
export const POLL = { timeout: WAIT_MS } as const
const CLOSE_MS = 10_000

/**
 * Debian's Firefox ESR, headless, driven by puppeteer-core over WebDriver BiDi (no downloaded
 * browser). Checked with firefox-esr 153.8 and puppeteer-core 24.43 as root: it starts as is, with
 * or without HOME, and needs no sandbox switch (no MOZ_DISABLE_CONTENT_SANDBOX, unlike Chromium's
 * --no-sandbox). Its profile is a fresh folder from tempDir(), removed after the test file; puppeteer
 * writes its preferences there (no updates, telemetry, safe browsing or other network calls on start).
 * `--no-remote` keeps it from handing the launch to another Firefox already running on the machine.
 */
export async function launchFirefox(): Promise<Browser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`Firefox not found at ${FIREFOX}: install Debian's "firefox-esr" package (.ci/run does)`)
  }
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    protocol: 'webDriverBiDi',
    headless: true,
    userDataDir: tempDir('firefox'),
    args: ['--no-remote'],
    timeout: LAUNCH_MS,
    protocolTimeout: COMMAND_MS,
    extraPrefsFirefox: {
      // Remote Settings (experiments, blocklists) would try the network at start and log errors.
      'services.settings.server': 'http://127.0.0.1:9/',
    },
  })
}

/** Closes the browser; one that does not answer within CLOSE_MS is killed so the test file can end. */
export async function closeFirefox(browser: Browser | undefined): Promise<void> {
  if (!browser) {
    return
  }
  const closed = browser.close().then(
    () => true,
    () => false,
  )
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_MS).unref())
  if (!(await Promise.race([closed, timer]))) {
    browser.process()?.kill('SIGKILL')
  }
}

/** Runs `run` in a page of a fresh browser context (its own storage and cookies), then closes it. */
export async function inFirefoxPage(browser: Browser, run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.createBrowserContext()
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(WAIT_MS)
    await run(page)
  } finally {
    await context.close()
  }
}

/**
 * A selector for `inner` inside the open shadow root of the widget for `formId`: `>>>` pierces
 * shadow roots, and puppeteer's `::-p-aria(…)` (Firefox's accessibility tree, over BiDi) finds
 * nothing from the document root inside a shadow root, only from below the host.
 */
export const widget =
  (formId: string) =>
  (inner: string): string =>
    `[data-flowform="${formId}"] >>> ${inner}`

export interface FirefoxWatch {
  /** `securitypolicyviolation` events the page saw so far, as `<directive> <blocked URI>`. */
  cspViolations(): Promise<string[]>
  /** console.error messages and uncaught exceptions. */
  readonly errors: string[]
}

/**
 * Records what a page complains about. Call before `goto`: the listener is a BiDi preload script,
 * which Firefox runs before the page's own scripts and outside its CSP. Violations are kept in the
 * page (`window.__flowformCsp`) and read with an evaluate, which a page's CSP does not block either.
 */
export async function watchFirefox(page: Page): Promise<FirefoxWatch> {
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = []
    Object.defineProperty(window, '__flowformCsp', { value: seen })
    document.addEventListener(
      'securitypolicyviolation',
      (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
      true,
    )
  })
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(message.text())
    }
  })
  page.on('pageerror', (error) => errors.push(error instanceof Error ? error.message : String(error)))
  return {
    cspViolations: () => page.evaluate(() => [...(window as unknown as { __flowformCsp: string[] }).__flowformCsp]),
    errors,
  }
}

/**
 * The element with keyboard focus (through open shadow roots), described as test/helpers/focus.ts
 * does for Playwright: `input[name=email]`, `button "Sign up"`, `div[role=status]`, `body`.
 */
export function focusedIn(page: Page): Promise<string> {
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
    const role = element.getAttribute('role')
    const text = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim()
    if (name) {
      return `${tag}[name=${name}]`
    }
    if (role && tag === 'div') {
      return `div[role=${role}]`
    }
    return text && tag !== 'body' && tag !== 'html' ? `${tag} "${text}"` : tag
  })
}
