import { readFileSync } from 'node:fs'
import { waitFor } from '@testing-library/preact'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineElement, ELEMENT_NAME } from '../../widget/embed/element'
import { installGlobal } from '../../widget/embed/global'
import { boot, INIT_ATTRIBUTE } from '../../widget/embed/script-tag'
import type { FlowformHandle } from '../../widget/index'
import {
  callsTo,
  FakeIntersectionObserver,
  OPEN_DIALOG,
  settle,
  shadowOf,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

/**
 * The embed surfaces: script tag options, the custom element and window.Flowform. The first test
 * boots a library-only tag, which defines <flowform-signup> for this file's window with the
 * script's origin as its default endpoint.
 */

const SRC = 'https://signup.shop.test/flowform.js'

const happyDOM = (window as unknown as { happyDOM?: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } })
  .happyDOM
if (happyDOM) {
  happyDOM.settings.handleDisabledFileLoadingAsSuccess = true
}

function setCurrentScript(element: Element | null): void {
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => element })
}

/** Read through a function: after `delete window.Flowform`, TypeScript would narrow it to never. */
function flowform(): Window['Flowform'] {
  return window.Flowform
}

function hosts(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[data-flowform]')]
}

interface SignupElement extends HTMLElement {
  open(): void
  close(): void
}

let fetchMock: ReturnType<typeof stubFetch>
let consoleError: ReturnType<typeof vi.spyOn>

beforeEach(() => {
  fetchMock = stubFetch({
    form: simpleForm({ fields: [{ name: 'heading', type: 'title', text: 'Hi' }, ...simpleForm().fields] }),
  })
  stubIntersectionObserver()
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
})

afterEach(() => {
  setCurrentScript(null)
  document.body.innerHTML = ''
  document.documentElement.style.overflow = ''
  localStorage.clear()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('a script tag that only loads the library', () => {
  it('logs nothing, installs window.Flowform and defines <flowform-signup> with the script origin as endpoint', async () => {
    delete window.Flowform
    document.body.innerHTML = `<script src="${SRC}" async></script>`
    setCurrentScript(document.querySelector('script'))
    boot(document)
    expect(consoleError).not.toHaveBeenCalled()
    expect(hosts()).toHaveLength(0)
    expect(customElements.get(ELEMENT_NAME)).toBeDefined()
    expect(flowform()?.version).toMatch(/^\d+\.\d+\.\d+/)

    document.body.insertAdjacentHTML('beforeend', '<flowform-signup form="welcome"></flowform-signup>')
    await waitFor(() => expect(hosts()).toHaveLength(1))
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://signup.shop.test/v1/forms/welcome')
  })
})

describe('<flowform-signup>', () => {
  beforeAll(() => {
    // Defined by the first test when the whole file runs; on its own (`-t`), define it here.
    if (!customElements.get(ELEMENT_NAME)) {
      defineElement(installGlobal(window, { endpoint: 'https://signup.shop.test' }))
    }
  })

  it('mounts on connect with its attributes, unmounts on disconnect, mounts again on reconnect', async () => {
    const element = document.createElement(ELEMENT_NAME) as SignupElement
    element.setAttribute('form', 'welcome')
    element.setAttribute('endpoint', 'https://api.shop.test')
    element.setAttribute('locale', 'de')
    element.setAttribute('theme', 'dark')
    document.body.append(element)
    const [host] = hosts()
    expect(host?.parentElement).toBe(element)
    expect(host?.getAttribute('data-theme')).toBe('dark')
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('https://api.shop.test/v1/forms/welcome?locale=de')
    await waitFor(() => expect(shadowOf(element).querySelector('form')).toBeTruthy())

    element.remove()
    // Unmounted once the current task's microtasks ran: a move in one go is not a removal (below).
    await settle(1)
    expect(element.children).toHaveLength(0)
    document.body.append(element)
    expect(hosts()).toHaveLength(1)
    element.remove()
  })

  it('moved within the page in one go: the same form, with what was typed, and no second request', async () => {
    document.body.innerHTML = '<main><flowform-signup form="welcome"></flowform-signup></main><aside></aside>'
    const element = document.querySelector(ELEMENT_NAME) as SignupElement
    await waitFor(() => expect(shadowOf(element).querySelector('form')).toBeTruthy())
    const host = hosts()[0]
    const requests = fetchMock.mock.calls.length
    ;(shadowOf(element).querySelector('input[name="email"]') as HTMLInputElement).value = 'kim@example.com'
    document.querySelector('aside')?.append(element)
    await settle()
    expect(hosts()).toEqual([host])
    expect(host?.parentElement).toBe(element)
    expect((shadowOf(element).querySelector('input[name="email"]') as HTMLInputElement).value).toBe('kim@example.com')
    expect(fetchMock.mock.calls.length).toBe(requests)
  })

  it("takes its CSP nonce from the nonce property: browsers hide the attribute's value", async () => {
    vi.stubGlobal('CSSStyleSheet', undefined)
    const element = document.createElement(ELEMENT_NAME) as SignupElement & { nonce: string }
    element.setAttribute('form', 'welcome')
    // What a browser shows the page once the element is connected under a CSP: an empty attribute.
    element.setAttribute('nonce', '')
    element.nonce = 'r4nd0m'
    document.body.append(element)
    expect(shadowOf(element).querySelector('style')?.getAttribute('nonce')).toBe('r4nd0m')
  })

  it("an empty nonce (or endpoint) falls back to the library tag's", () => {
    vi.stubGlobal('CSSStyleSheet', undefined)
    // What the element's class and Flowform.mount go through, with a library tag's defaults.
    const api = installGlobal({} as Window, { endpoint: 'https://lib.shop.test', nonce: 'l1brary' })
    const target = document.createElement('div')
    document.body.append(target)
    const handle = api.mount(target, { form: 'welcome', nonce: '', endpoint: '' })
    expect(shadowOf(target).querySelector('style')?.getAttribute('nonce')).toBe('l1brary')
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('https://lib.shop.test/v1/forms/welcome')
    handle.unmount()
  })

  it('takes the display options as attributes and opens from its own open() method', async () => {
    document.body.innerHTML =
      '<flowform-signup form="welcome" mode="popup" trigger="delay" delay="30" frequency-days="0"></flowform-signup>'
    const element = document.querySelector(ELEMENT_NAME) as SignupElement
    await settle()
    expect(shadowOf(element).querySelector(OPEN_DIALOG)).toBeNull()
    element.open()
    await waitFor(() => expect(shadowOf(element).querySelector(OPEN_DIALOG)?.getAttribute('aria-modal')).toBe('true'))
    element.close()
    await waitFor(() => expect(shadowOf(element).querySelector(OPEN_DIALOG)).toBeNull())
  })

  it('prefills from prefill-<name> attributes', async () => {
    document.body.innerHTML = '<flowform-signup form="welcome" prefill-email="kim@example.com"></flowform-signup>'
    const element = document.querySelector(ELEMENT_NAME) as SignupElement
    await waitFor(() => expect(shadowOf(element).querySelector('form')).toBeTruthy())
    expect((shadowOf(element).querySelector('input[name="email"]') as HTMLInputElement).value).toBe('kim@example.com')
  })

  it('logs a prefixed error for a bad attribute and mounts nothing', () => {
    document.body.innerHTML = '<flowform-signup form="welcome" mode="modal"></flowform-signup>'
    expect(consoleError).toHaveBeenCalledWith('[flowform] mode must be one of inline, popup, slide-in, got "modal"')
    document.body.innerHTML = '<flowform-signup></flowform-signup>'
    expect(consoleError).toHaveBeenLastCalledWith(expect.stringMatching(/^\[flowform\] form must match/))
    expect(hosts()).toHaveLength(0)
  })
})

describe('script tag options', () => {
  it.each([
    ['data-mode="modal"', /^\[flowform\] mode must be one of inline, popup, slide-in/],
    ['data-trigger="hover"', /^\[flowform\] trigger must be one of load, delay, scroll, exit, manual/],
    ['data-delay="soon"', /^\[flowform\] delay must be a number/],
    ['data-delay=""', /^\[flowform\] delay must be a number/],
    ['data-scroll="150"', /^\[flowform\] scroll must be a number from 0 to 100/],
    ['data-frequency-days="-1"', /^\[flowform\] frequencyDays must be a number/],
    ['data-locale="not a language"', /^\[flowform\] locale must be a language tag/],
    ['data-theme="neon"', /^\[flowform\] theme must be one of light, dark, auto/],
  ])('%s: a prefixed console error, no form, nothing thrown', (attribute, message) => {
    document.body.innerHTML = `<script src="${SRC}" data-form="welcome" ${attribute}></script>`
    setCurrentScript(document.querySelector('script'))
    expect(() => boot(document)).not.toThrow()
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(message))
    expect(hosts()).toHaveLength(0)
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('reads every option: a delayed slide-in in German, dark, with a prefill', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      document.body.innerHTML =
        `<main><script src="${SRC}" data-form="welcome" data-mode="slide-in" data-trigger="delay" data-delay="2" ` +
        `data-frequency-days="0" data-locale="de-AT" data-theme="dark" data-prefill-firstName="Ana"></script></main><footer></footer>`
      setCurrentScript(document.querySelector('script'))
      boot(document)
      const [host] = hosts()
      // A floating form lives at the end of <body>, not where the tag stands.
      expect(host?.parentElement?.parentElement).toBe(document.body)
      expect(document.body.lastElementChild?.firstElementChild).toBe(host)
      expect(host?.getAttribute('data-theme')).toBe('dark')
      expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://signup.shop.test/v1/forms/welcome?locale=de')
      await settle()
      await vi.advanceTimersByTimeAsync(1_500)
      expect(host?.shadowRoot?.querySelector(OPEN_DIALOG)).toBeNull()
      await vi.advanceTimersByTimeAsync(600)
      await settle()
      const dialog = host?.shadowRoot?.querySelector(OPEN_DIALOG)
      expect(dialog?.getAttribute('aria-modal')).toBe('false')
      expect(dialog?.getAttribute('lang')).toBe('de')
      expect((dialog?.querySelector('input[name="firstName"]') as HTMLInputElement).value).toBe('Ana')
      expect(consoleError).not.toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('window.Flowform', () => {
  beforeEach(() => {
    document.body.innerHTML = `<script src="${SRC}" data-form="welcome" data-mode="popup" data-trigger="manual"></script>`
    setCurrentScript(document.querySelector('script'))
    boot(document)
  })

  it('open(id) and close(id) drive every mounted form with that id; an unknown id is logged', async () => {
    const root = () => hosts()[0]?.shadowRoot
    await settle()
    flowform()?.open?.('welcome')
    await waitFor(() => expect(root()?.querySelector(OPEN_DIALOG)).toBeTruthy())
    flowform()?.close?.('welcome')
    await waitFor(() => expect(root()?.querySelector(OPEN_DIALOG)).toBeNull())
    flowform()?.open?.('nope')
    expect(consoleError).toHaveBeenCalledWith('[flowform] no form "nope" is mounted on this page')
  })

  it('mount(el, options) returns { unmount, open, close } and defaults the endpoint to the bundle origin', async () => {
    const target = document.createElement('div')
    document.body.append(target)
    const handle = flowform()?.mount?.(target, { form: 'extra', mode: 'popup', trigger: 'manual' }) as FlowformHandle
    expect(Object.keys(handle).sort()).toEqual(['close', 'open', 'unmount'])
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('https://signup.shop.test/v1/forms/extra')
    await settle()
    handle.open()
    await waitFor(() => expect(shadowOf(target).querySelector(OPEN_DIALOG)).toBeTruthy())
    handle.close()
    handle.unmount()
    expect(target.children).toHaveLength(0)
    // Unmounted forms are no longer reachable by id.
    flowform()?.open?.('extra')
    expect(consoleError).toHaveBeenCalledWith('[flowform] no form "extra" is mounted on this page')
  })

  it('throws from an explicit mount() call with a bad option', () => {
    const target = document.createElement('div')
    expect(() => flowform()?.mount?.(target, { form: 'welcome', trigger: 'hover' as never })).toThrow(TypeError)
    expect(target.children).toHaveLength(0)
  })

  it('SPA navigation: mount and unmount again and again leaves no listener behind', async () => {
    const added: string[] = []
    const removed: string[] = []
    for (const target of [window, document]) {
      const add = target.addEventListener.bind(target)
      const remove = target.removeEventListener.bind(target)
      vi.spyOn(target, 'addEventListener').mockImplementation((type, ...rest) => {
        added.push(type)
        add(type, ...rest)
      })
      vi.spyOn(target, 'removeEventListener').mockImplementation((type, ...rest) => {
        removed.push(type)
        remove(type, ...rest)
      })
    }
    for (let i = 0; i < 3; i++) {
      const target = document.createElement('div')
      document.body.append(target)
      // Forms of their own: a trigger that fired once on this page load (in another test) is not armed again.
      const scroll = flowform()?.mount?.(target, { form: 'spa-scroll', mode: 'slide-in', trigger: 'scroll' })
      const exitTarget = document.createElement('div')
      document.body.append(exitTarget)
      const exit = flowform()?.mount?.(exitTarget, { form: 'spa-exit', mode: 'popup', trigger: 'exit' })
      await settle()
      scroll?.unmount()
      exit?.unmount()
    }
    expect(added.filter((t) => t === 'scroll' || t === 'mouseout').sort()).toEqual(
      removed.filter((t) => t === 'scroll' || t === 'mouseout').sort(),
    )
    expect(added.filter((t) => t === 'scroll')).toHaveLength(3)
  })
})

describe('loading the bundle twice', () => {
  it('keeps one window.Flowform, one element definition and one form per tag', async () => {
    delete window.Flowform
    // A registry of this test's own, so the count does not depend on what earlier tests defined.
    const registry = new Map<string, CustomElementConstructor>()
    const define = vi.fn((name: string, constructor: CustomElementConstructor) => {
      if (registry.has(name)) {
        throw new DOMException(`"${name}" has already been defined`, 'NotSupportedError')
      }
      registry.set(name, constructor)
    })
    vi.stubGlobal('customElements', { define, get: (name: string) => registry.get(name) })
    document.body.innerHTML =
      `<script src="${SRC}" data-form="welcome"></script><div></div>` +
      `<script src="${SRC}" data-form="newsletter"></script>`
    vi.resetModules()
    await import('../../widget/main')
    const first = window.Flowform
    vi.resetModules()
    await import('../../widget/main')
    vi.resetModules()
    await import('../../widget/main')
    expect(flowform()).toBe(first)
    expect(define.mock.calls.map(([name]) => name)).toEqual(['flowform-root', 'flowform-slot', ELEMENT_NAME])
    expect(hosts().map((h) => h.getAttribute('data-flowform'))).toEqual(['welcome', 'newsletter'])
    expect([...document.querySelectorAll('script')].every((s) => s.hasAttribute(INIT_ATTRIBUTE))).toBe(true)
    // The second copy went through the first one's registry: open() by id reaches both forms.
    flowform()?.open?.('newsletter')
    expect(consoleError).not.toHaveBeenCalled()
    // One view per form once both are on screen, however many copies of the bundle ran.
    await waitFor(() => expect(FakeIntersectionObserver.instances).toHaveLength(2))
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)
    for (const observer of FakeIntersectionObserver.instances) {
      observer.report(true)
    }
    expect(callsTo(fetchMock, '/views').map(([url]) => url)).toEqual([
      'https://signup.shop.test/v1/forms/welcome/views',
      'https://signup.shop.test/v1/forms/newsletter/views',
    ])
  })
})

describe('theme', () => {
  it('data-theme sets the host attribute the stylesheet keys its dark palette on', () => {
    document.body.innerHTML = `<script src="${SRC}" data-form="welcome" data-theme="auto"></script>`
    setCurrentScript(document.querySelector('script'))
    boot(document)
    expect(hosts()[0]?.getAttribute('data-theme')).toBe('auto')
    const css = readFileSync('widget/styles/widget.css', 'utf8')
    expect(css).toMatch(/:host\(\[data-theme='dark'\]\) \{[^}]*--ff-bg: var\(--flowform-bg, #111827\)/)
    expect(css).toMatch(/@media \(prefers-color-scheme: dark\) \{\s*:host\(\[data-theme='auto'\]\)/)
    // Isolation: nothing inherited leaks in, except the font.
    expect(css).toMatch(/:host \{\s*\/\*[^*]*\*\/\s*all: initial;/)
    expect(css).toMatch(/font-family: var\(--flowform-font\);/)
  })
})
