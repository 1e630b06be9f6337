import { render, screen } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { App } from '../../widget/form/app'
import { PAGE } from './support'
import { mount } from '../../widget/index'
import {
  ENDPOINT,
  errorBody,
  json,
  recordEvents,
  settle,
  shadowOf,
  stubFetch,
  stubIntersectionObserver,
} from './support'

describe('loading the definition', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('GETs {endpoint}/v1/forms/{id} and reserves space while it waits', async () => {
    stubIntersectionObserver()
    const fetchMock = stubFetch()
    const { container } = render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
    expect(container.querySelector('[aria-busy="true"]')?.className).toBe('loading')
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://api.test/v1/forms/welcome')
    await screen.findByRole('button', { name: 'Sign up' })
    expect(container.querySelector('[aria-busy]')).toBeNull()
  })

  it('paints the form in the same task the definition arrives in: no timer or frame in between', async () => {
    stubIntersectionObserver()
    stubFetch()
    // With every timer and animation frame frozen, only promise jobs can run.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'requestAnimationFrame', 'setImmediate'] })
    try {
      const target = document.createElement('div')
      document.body.append(target)
      const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
      await settle()
      expect(shadowOf(target).querySelector('form button[type="submit"]')).toBeTruthy()
      expect(vi.getTimerCount()).toBe(0)
      handle.unmount()
      target.remove()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a 404 gives a calm alert and a prefixed console error for the developer', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    stubFetch({ form: errorBody(404, 'unknown_form') })
    render(<App page={PAGE} endpoint={ENDPOINT} formId="gone" />)
    expect((await screen.findByRole('alert')).textContent).toBe('The form could not be loaded.')
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] form "gone" was not found/))
    expect(document.querySelector('form')).toBeNull()
  })

  it("a refused origin (403 with the proxy's JSON error) gives the calm alert and logs the proxy's reason", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const reason = 'This page\'s origin (http://localhost:8912) is not in allowedOrigins of form "welcome".'
    stubFetch({ form: json({ error: { code: 'origin_not_allowed', message: reason } }, 403) })
    const host = document.createElement('div')
    const events = recordEvents(host)
    render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" host={host} />)
    expect((await screen.findByRole('alert')).textContent).toBe('The form could not be loaded.')
    expect(error.mock.calls).toEqual([[`[flowform] ${reason}`]])
    expect(events.map((e) => e.detail)).toEqual([{ form: 'welcome', code: 'load_failed' }])
  })

  it("a refusal without a JSON error body (a CDN's HTML page, say) logs nothing of its own", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    stubFetch({ form: new Response('<h1>Forbidden</h1>', { status: 403, headers: { 'content-type': 'text/html' } }) })
    render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
    expect((await screen.findByRole('alert')).textContent).toBe('The form could not be loaded.')
    expect(error).not.toHaveBeenCalled()
  })

  it.each([
    ['a network failure', new TypeError('Failed to fetch')],
    ['a 500', errorBody(500, 'internal')],
    ['a body that is not a form', json({ hello: 'world' })],
  ])('%s gives a calm alert', async (_, answer) => {
    stubFetch({ form: answer })
    render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
    expect((await screen.findByRole('alert')).textContent).toBe('The form could not be loaded.')
  })
})
