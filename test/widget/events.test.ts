import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MountOptions } from '../../widget/index'
import { mount } from '../../widget/index'
import type { FetchRoutes } from './support'
import {
  errorBody,
  FakeIntersectionObserver,
  json,
  recordEvents,
  settle,
  shadowOf,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

let n = 0

function setup(routes: FetchRoutes = {}, options: Partial<MountOptions> = {}) {
  stubFetch({ form: simpleForm(), ...routes })
  const target = document.createElement('div')
  document.body.append(target)
  // Listening on the document: the events bubble out of the host and are composed.
  const events = recordEvents(document)
  const handle = mount(target, { form: 'welcome', endpoint: `https://events${++n}.test`, ...options })
  const host = target.firstElementChild as HTMLElement
  return { target, host, handle, events, root: () => shadowOf(target) }
}

async function fillAndSend(root: ShadowRoot): Promise<void> {
  await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
  ;(root.querySelector('input[name="email"]') as HTMLInputElement).value = 'secret.person@example.com'
  ;(root.querySelector('input[name="firstName"]') as HTMLInputElement).value = 'Secretname'
  ;(root.querySelector('input[name="consent"]') as HTMLInputElement).checked = true
  ;(root.querySelector('button[type="submit"]') as HTMLButtonElement).click()
}

beforeEach(() => {
  stubIntersectionObserver()
  localStorage.clear()
})

afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('flowform:* events', () => {
  it('view (when seen), submit and success, as bubbling composed CustomEvents from the host', async () => {
    const { host, handle, events, root } = setup({ submit: json({ status: 'already_enrolled' }) })
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    expect(events).toEqual([])
    FakeIntersectionObserver.instances.at(-1)?.report(true)
    await fillAndSend(root())
    await waitFor(() => expect(events.map((e) => e.type)).toEqual(['view', 'submit', 'success']))
    for (const { event } of events) {
      expect(event).toBeInstanceOf(CustomEvent)
      expect(event.bubbles).toBe(true)
      expect(event.composed).toBe(true)
      expect(event.target).toBe(host)
    }
    expect(events.map((e) => e.detail)).toEqual([
      { form: 'welcome' },
      { form: 'welcome' },
      { form: 'welcome', status: 'already_enrolled' },
    ])
    handle.unmount()
  })

  it.each([
    ['a 422', { submit: errorBody(422, 'invalid_values', { email: ['Nope.'] }) }, 'invalid_values'],
    ['a 429', { submit: errorBody(429, 'rate_limited') }, 'rate_limited'],
    ['a 503', { submit: errorBody(503, 'upstream_unavailable') }, 'upstream_unavailable'],
    ['a non-JSON 502', { submit: () => new Response('<html>', { status: 502 }) }, 'http_502'],
    ['a network failure', { submit: new TypeError('Failed to fetch') }, 'network'],
  ] as const)('error after %s carries its code', async (_, routes, code) => {
    const { handle, events, root } = setup(routes as FetchRoutes)
    await fillAndSend(root())
    await waitFor(() => expect(events.map((e) => e.type)).toEqual(['submit', 'error']))
    expect(events[1]?.detail).toEqual({ form: 'welcome', code })
    handle.unmount()
  })

  it('error when the definition cannot be loaded', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const missing = setup({ form: errorBody(404, 'form_not_found') })
    await waitFor(() =>
      expect(missing.events.map((e) => e.detail)).toEqual([{ form: 'welcome', code: 'form_not_found' }]),
    )
    missing.handle.unmount()
  })

  it('no event for a submission stopped by validation in the browser', async () => {
    const { handle, events, root } = setup()
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    ;(root().querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(root().querySelector('[aria-invalid="true"]')).toBeTruthy())
    expect(events).toEqual([])
    handle.unmount()
  })

  it('view on opening and close on closing a popup', async () => {
    const { handle, events, root } = setup({}, { mode: 'popup', trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    handle.close()
    await waitFor(() => expect(events.map((e) => e.type)).toEqual(['view', 'close']))
    handle.unmount()
  })

  it('never carries personal data', async () => {
    const { handle, events, root } = setup({ submit: json({ status: 'enrolled' }) })
    FakeIntersectionObserver.instances.at(-1)?.report(true)
    await fillAndSend(root())
    await waitFor(() => expect(events.map((e) => e.type)).toContain('success'))
    const everything = JSON.stringify(events.map((e) => e.detail))
    expect(everything).not.toMatch(/secret|example\.com/i)
    for (const { detail } of events) {
      expect(Object.keys(detail as object).every((key) => ['form', 'status', 'code'].includes(key))).toBe(true)
    }
    handle.unmount()
  })
})
