import { readFileSync } from 'node:fs'
import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, version } from '../../widget/index'
import {
  callsTo,
  deferred,
  ENDPOINT,
  FakeIntersectionObserver,
  settle,
  stubFetch,
  stubIntersectionObserver,
} from './support'

function host(target: Element): HTMLElement {
  return target.querySelector('[data-flowform]') as HTMLElement
}

describe('mount()', () => {
  let target: HTMLElement

  beforeEach(() => {
    target = document.createElement('section')
    document.body.append(target)
    stubIntersectionObserver()
  })

  afterEach(() => {
    target.remove()
    vi.unstubAllGlobals()
  })

  it('renders the form inside an open shadow root on a new host element', async () => {
    const fetchMock = stubFetch()
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const root = host(target).shadowRoot
    expect(root?.mode).toBe('open')
    await waitFor(() => expect(root?.querySelector('form')).toBeTruthy())
    expect(root?.querySelector('input[name="email"]')).toBeTruthy()
    expect(root?.querySelector('button[type="submit"]')).toBeTruthy()
    // Page queries do not reach into the shadow root.
    expect(document.querySelector('input[name="email"]')).toBeNull()
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://api.test/v1/forms/welcome')
    handle.unmount()
  })

  it('asks for the definition first, before the host exists and Preact has rendered anything', async () => {
    const seen: (Element | null)[] = []
    const fetchMock = vi.fn((_url: string) => {
      seen.push(target.querySelector('[data-flowform]'))
      return Promise.resolve(new Response(JSON.stringify({ error: { code: 'x', message: 'x' } }), { status: 500 }))
    })
    vi.stubGlobal('fetch', fetchMock)
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://api.test/v1/forms/welcome')
    expect(seen).toEqual([null])
    // The App takes that request's answer: no second one.
    await waitFor(() => expect(host(target).shadowRoot?.querySelector('[role="alert"]')).toBeTruthy())
    expect(fetchMock).toHaveBeenCalledTimes(1)
    handle.unmount()
  })

  it("hosts the form on a tag of its own, out of reach of the page's rules for divs, with its layout !important", () => {
    stubFetch()
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    expect(host(target).tagName).toBe('FLOWFORM-ROOT')
    expect(host(target).getAttribute('data-flowform')).toBe('welcome')
    // `main div { display: flex; padding: 40px; float: left; width: 30% }` squashed a div host.
    expect(target.querySelector('div')).toBeNull()
    const css = readFileSync('widget/styles/widget.css', 'utf8')
    const hostRule = /:host \{([^}]*)\}/.exec(css)?.[1] ?? ''
    for (const declaration of [
      'display: block',
      'float: none',
      'width: auto',
      'height: auto',
      'padding: 0',
      'border: 0',
    ]) {
      expect(hostRule).toContain(`${declaration} !important;`)
    }
    handle.unmount()
  })

  it("keeps keys typed into its fields from the page's shortcuts; Tab, Esc and keys on buttons still reach the page", async () => {
    stubFetch()
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const root = host(target).shadowRoot as ShadowRoot
    await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
    const seen: string[] = []
    const record = (event: Event) => seen.push(`${event.type} ${(event as KeyboardEvent).key}`)
    for (const type of ['keydown', 'keypress', 'keyup']) {
      document.addEventListener(type, record)
    }
    const press = (element: Element, key: string, types = ['keydown', 'keypress', 'keyup']) => {
      for (const type of types) {
        element.dispatchEvent(new KeyboardEvent(type, { key, bubbles: true, composed: true, cancelable: true }))
      }
    }
    try {
      const email = root.querySelector('input[name="email"]') as HTMLInputElement
      press(email, '/')
      press(email, 'a')
      press(root.querySelector('input[name="consent"]') as Element, ' ')
      expect(seen).toEqual([])
      press(email, 'Tab', ['keydown'])
      press(email, 'Escape', ['keydown'])
      press(root.querySelector('button[type="submit"]') as Element, '/', ['keydown'])
      expect(seen).toEqual(['keydown Tab', 'keydown Escape', 'keydown /'])
    } finally {
      for (const type of ['keydown', 'keypress', 'keyup']) {
        document.removeEventListener(type, record)
      }
      handle.unmount()
    }
  })

  it('adopts one shared constructed stylesheet where supported', () => {
    stubFetch()
    const other = document.createElement('div')
    document.body.append(other)
    const first = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const second = mount(other, { form: 'welcome', endpoint: ENDPOINT })
    const rootA = host(target).shadowRoot as ShadowRoot
    const rootB = host(other).shadowRoot as ShadowRoot
    expect(rootA.adoptedStyleSheets).toHaveLength(1)
    expect(rootA.adoptedStyleSheets[0]).toBe(rootB.adoptedStyleSheets[0])
    expect(rootA.querySelector('style')).toBeNull()
    first.unmount()
    second.unmount()
    other.remove()
  })

  it('falls back to a <style> with the nonce without constructable stylesheets', () => {
    stubFetch()
    vi.stubGlobal('CSSStyleSheet', undefined)
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT, nonce: 'r4nd0m' })
    const style = host(target).shadowRoot?.querySelector('style')
    expect(style?.getAttribute('nonce')).toBe('r4nd0m')
    handle.unmount()
  })

  it('trims a trailing slash and keeps a path prefix of the endpoint', () => {
    const fetchMock = stubFetch()
    const handle = mount(target, { form: 'welcome', endpoint: 'https://api.test/signup/' })
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://api.test/signup/v1/forms/welcome')
    handle.unmount()
  })

  it('is idempotent per target: a second mount returns the first handle', () => {
    stubFetch()
    const first = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const second = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    expect(second).toBe(first)
    expect(target.querySelectorAll('[data-flowform]')).toHaveLength(1)
    first.unmount()
  })

  it('unmount() removes the host, stops watching for visibility and can run twice', async () => {
    const fetchMock = stubFetch()
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const root = host(target).shadowRoot
    await waitFor(() => expect(root?.querySelector('form')).toBeTruthy())
    const observer = FakeIntersectionObserver.instances.at(-1)
    expect(observer?.disconnected).toBe(false)

    handle.unmount()
    expect(host(target)).toBeNull()
    expect(root?.querySelector('form')).toBeNull()
    expect(observer?.disconnected).toBe(true)
    observer?.report(true)
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)
    handle.unmount()

    // The target is free again.
    const again = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    expect(target.querySelectorAll('[data-flowform]')).toHaveLength(1)
    again.unmount()
  })

  it('unmount() during loading aborts the request and renders nothing later', async () => {
    const answer = deferred<Response>()
    const fetchMock = vi.fn<typeof fetch>(() => answer.promise)
    vi.stubGlobal('fetch', fetchMock)
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT })
    const root = host(target).shadowRoot
    handle.unmount()
    expect(fetchMock.mock.calls[0]?.[1]?.signal?.aborted).toBe(true)
    answer.resolve(new Response(JSON.stringify({ id: 'welcome', fields: [] })))
    await settle()
    expect(root?.querySelector('form')).toBeNull()
  })

  it('throws a prefixed TypeError for a bad form id, target or endpoint', () => {
    expect(() => mount(target, { form: 'Welcome Form' })).toThrow(/^\[flowform\] form must match/)
    expect(() => mount(null as unknown as Element, { form: 'welcome' })).toThrow(TypeError)
    expect(() => mount(target, { form: 'welcome', endpoint: 'javascript:alert(1)' })).toThrow(/^\[flowform\] endpoint/)
    expect(target.children).toHaveLength(0)
  })

  it('exports the package version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
  })
})
