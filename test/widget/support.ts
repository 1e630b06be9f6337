import { vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import { localeTexts, resolveLocaleTag } from './texts-of'
import { createPageState } from '../../widget/page/state'

export const ENDPOINT = 'https://api.test'

/** What the forms a test file draws with `<App>` share, as mount() shares its registry's. */
export const PAGE = createPageState()

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

export function errorBody(status: number, code: string, fields?: Record<string, string[]>): Response {
  return json({ error: { code, message: code, ...(fields ? { fields } : {}) } }, status)
}

type Answer = Response | Promise<Response> | (() => Response | Promise<Response>)

export interface FetchRoutes {
  /** The answer to GET /v1/forms/:id: a definition, or a whole Response (404, 500, ...). */
  form?: PublicForm | Response | Error
  /** The answer to POST .../submissions; an Error makes fetch reject like a network failure. */
  submit?: Answer | Error
}

export type FetchMock = ReturnType<typeof vi.fn<typeof fetch>>

/** Stubs the global fetch with a tiny router for the proxy's three widget routes. */
export function stubFetch(routes: FetchRoutes = {}): FetchMock {
  const mock = vi.fn<typeof fetch>(async (input, init) => {
    const url = String(input)
    const method = init?.method ?? 'GET'
    if (method === 'POST' && url.endsWith('/views')) {
      return new Response(null, { status: 204 })
    }
    if (method === 'POST' && url.endsWith('/submissions')) {
      const answer = routes.submit ?? json({ status: 'enrolled' })
      if (answer instanceof Error) {
        throw answer
      }
      return typeof answer === 'function' ? answer() : answer
    }
    const form = routes.form ?? simpleForm()
    if (form instanceof Error) {
      throw form
    }
    return form instanceof Response ? form : json(withTexts(form, url))
  })
  vi.stubGlobal('fetch', mock)
  return mock
}

/**
 * A definition as the proxy sends it: every text of the requested language (the bundle carries no
 * text table), under the definition's own.
 */
export function withTexts(form: PublicForm, url = ''): PublicForm {
  const locale = resolveLocaleTag(new URL(url, ENDPOINT).searchParams.get('locale') ?? form.locale)
  return { ...form, texts: { ...localeTexts(locale), ...form.texts } }
}

export function callsTo(mock: FetchMock, suffix: string): Array<[string, RequestInit | undefined]> {
  return mock.mock.calls
    .map(([input, init]) => [String(input), init] as [string, RequestInit | undefined])
    .filter(([url]) => url.endsWith(suffix))
}

export function simpleForm(overrides: Partial<PublicForm> = {}): PublicForm {
  return {
    id: 'welcome',
    fields: [
      { name: 'email', type: 'email', label: 'Email', required: true },
      { name: 'firstName', type: 'text', label: 'First name' },
      { name: 'consent', type: 'checkbox', label: 'Consent', checkboxText: 'I agree to emails', required: true },
    ],
    ...overrides,
  }
}

/** A promise with its resolve exposed, to hold a request in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** An IntersectionObserver whose visibility the test decides. */
export class FakeIntersectionObserver {
  static instances: FakeIntersectionObserver[] = []
  readonly targets: Element[] = []
  disconnected = false

  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.instances.push(this)
  }

  observe(target: Element): void {
    this.targets.push(target)
  }

  unobserve(): void {}

  disconnect(): void {
    this.disconnected = true
  }

  takeRecords(): IntersectionObserverEntry[] {
    return []
  }

  /** Reports every observed target as (in)visible, as the browser would after a scroll. */
  report(isIntersecting: boolean): void {
    if (this.disconnected) {
      return
    }
    const entries = this.targets.map((target) => ({ isIntersecting, target })) as unknown as IntersectionObserverEntry[]
    this.callback(entries, this as unknown as IntersectionObserver)
  }

  static reset(): void {
    FakeIntersectionObserver.instances = []
  }
}

export function stubIntersectionObserver(): void {
  FakeIntersectionObserver.reset()
  vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver)
}

/** An open popup (`<dialog>`, shown with showModal) or slide-in (a popover `<div>`, hidden while closed). */
export const OPEN_DIALOG = 'dialog[open], div[role="dialog"]:not([hidden])'

/** The shadow root of the form mounted into `target`. */
export function shadowOf(target: Element): ShadowRoot {
  const root = target.querySelector('[data-flowform]')?.shadowRoot
  if (!root) {
    throw new Error('no flowform host with a shadow root in the target')
  }
  return root
}

/** Lets pending promises (fetch stubs, Preact's render queue) settle; works under fake timers too. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await Promise.resolve()
    await new Promise<void>((resolve) => queueMicrotask(resolve))
  }
}

/** Every `flowform:*` event that reaches `target`, in order. */
export function recordEvents(target: EventTarget): Array<{ type: string; detail: unknown; event: CustomEvent }> {
  const seen: Array<{ type: string; detail: unknown; event: CustomEvent }> = []
  for (const type of ['view', 'submit', 'success', 'error', 'close']) {
    target.addEventListener(`flowform:${type}`, (event) => {
      seen.push({ type, detail: (event as CustomEvent).detail, event: event as CustomEvent })
    })
  }
  return seen
}
