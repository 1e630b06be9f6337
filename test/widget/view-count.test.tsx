import { render, screen, waitFor } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { App } from '../../widget/form/app'
import { PAGE, withTexts } from './support'
import {
  callsTo,
  errorBody,
  FakeIntersectionObserver,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

// Every test uses its own endpoint: a view is counted once per page load, and the module keeps
// that memory for the whole test file.
let n = 0
const freshEndpoint = (): string => `https://views${++n}.test`

async function renderVisible(endpoint: string): Promise<ReturnType<typeof stubFetch>> {
  const fetchMock = stubFetch({ form: simpleForm() })
  render(<App page={PAGE} endpoint={endpoint} formId="welcome" />)
  await screen.findByRole('button', { name: 'Sign up' })
  return fetchMock
}

describe('view counting', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends nothing until the form is on screen, then one keepalive POST', async () => {
    stubIntersectionObserver()
    const endpoint = freshEndpoint()
    const fetchMock = await renderVisible(endpoint)
    const observer = FakeIntersectionObserver.instances.at(-1)
    expect(observer?.targets).toHaveLength(1)
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)

    observer?.report(false)
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)

    observer?.report(true)
    const views = callsTo(fetchMock, '/views')
    expect(views).toHaveLength(1)
    expect(views[0]?.[0]).toBe(`${endpoint}/v1/forms/welcome/views`)
    expect(views[0]?.[1]).toMatchObject({ method: 'POST', keepalive: true })
    expect(observer?.disconnected).toBe(true)

    observer?.report(true)
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
  })

  it('counts once per page load even when the form is mounted again', async () => {
    stubIntersectionObserver()
    const endpoint = freshEndpoint()
    const fetchMock = await renderVisible(endpoint)
    FakeIntersectionObserver.instances.at(-1)?.report(true)
    render(<App page={PAGE} endpoint={endpoint} formId="welcome" />)
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Sign up' })).toHaveLength(2))
    for (const observer of FakeIntersectionObserver.instances) {
      observer.report(true)
    }
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
  })

  it('counts once when two copies of the form become visible together', async () => {
    stubIntersectionObserver()
    const endpoint = freshEndpoint()
    const fetchMock = stubFetch({ form: simpleForm() })
    render(<App page={PAGE} endpoint={endpoint} formId="welcome" />)
    render(<App page={PAGE} endpoint={endpoint} formId="welcome" />)
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Sign up' })).toHaveLength(2))
    expect(FakeIntersectionObserver.instances).toHaveLength(2)
    for (const observer of FakeIntersectionObserver.instances) {
      observer.report(true)
    }
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
  })

  it('counts on render where IntersectionObserver is missing', async () => {
    vi.stubGlobal('IntersectionObserver', undefined)
    const fetchMock = await renderVisible(freshEndpoint())
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
  })

  it('does not count a form that failed to load', async () => {
    stubIntersectionObserver()
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const fetchMock = stubFetch({ form: errorBody(404, 'unknown_form') })
    render(<App page={PAGE} endpoint={freshEndpoint()} formId="gone" />)
    await screen.findByRole('alert')
    expect(FakeIntersectionObserver.instances).toHaveLength(0)
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)
  })

  it('never lets a failing view request disturb the form', async () => {
    vi.stubGlobal('IntersectionObserver', undefined)
    const fetchMock = vi.fn<typeof fetch>(async (_input, init) => {
      if (init?.method === 'POST') {
        throw new TypeError('blocked by an ad blocker')
      }
      return new Response(JSON.stringify(withTexts(simpleForm())), { status: 200 })
    })
    vi.stubGlobal('fetch', fetchMock)
    render(<App page={PAGE} endpoint={freshEndpoint()} formId="welcome" />)
    expect(await screen.findByRole('button', { name: 'Sign up' })).toBeTruthy()
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })
})
