import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { boot, INIT_ATTRIBUTE } from '../../widget/embed/script-tag'
import { stubFetch, stubIntersectionObserver } from './support'

const SRC = 'https://signup.shop.test/flowform.js'

/**
 * happy-dom never runs the test page's scripts (file loading is off); it only reports each one as
 * a failed load on stderr unless told to treat the skipped load as a success.
 */
const happyDOM = (window as unknown as { happyDOM?: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } })
  .happyDOM
if (happyDOM) {
  happyDOM.settings.handleDisabledFileLoadingAsSuccess = true
}

function page(html: string): void {
  document.body.innerHTML = html
}

function script(): HTMLScriptElement {
  return document.querySelector('script') as HTMLScriptElement
}

function hosts(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[data-flowform]')]
}

function setCurrentScript(element: Element | null): void {
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => element })
}

describe('script-tag bootstrap', () => {
  let fetchMock: ReturnType<typeof stubFetch>
  let consoleError: ReturnType<typeof vi.spyOn>

  beforeEach(() => {
    fetchMock = stubFetch()
    stubIntersectionObserver()
    consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    delete window.Flowform
  })

  afterEach(() => {
    setCurrentScript(null)
    // Each test starts from an empty page.
    document.body.innerHTML = ''
    delete window.Flowform
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('mounts right after its own script tag and talks to the origin it came from', async () => {
    page(`<p>before</p><script async src="${SRC}" data-form="welcome"></script><p id="after">after</p>`)
    boot(document)
    const [host] = hosts()
    expect(host?.getAttribute('data-flowform')).toBe('welcome')
    // The host sits in a slot inserted directly after the script, before the next element; both
    // are tags of our own, so a shop's rules for divs (`main div { … }`) reach neither.
    expect(script().nextElementSibling?.firstElementChild).toBe(host)
    expect(script().nextElementSibling?.tagName).toBe('FLOWFORM-SLOT')
    expect(host?.tagName).toBe('FLOWFORM-ROOT')
    expect(script().nextElementSibling?.nextElementSibling?.id).toBe('after')
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://signup.shop.test/v1/forms/welcome')
    await waitFor(() => expect(host?.shadowRoot?.querySelector('form')).toBeTruthy())
    expect(script().hasAttribute(INIT_ATTRIBUTE)).toBe(true)
    expect(consoleError).not.toHaveBeenCalled()
  })

  it('prefers document.currentScript over other flowform tags', () => {
    page(
      `<script src="${SRC}" data-form="first"></script><div id="gap"></div>` +
        `<script src="${SRC}" data-form="second"></script>`,
    )
    const second = document.querySelectorAll('script')[1] as HTMLScriptElement
    setCurrentScript(second)
    boot(document)
    expect(hosts().map((h) => h.getAttribute('data-flowform'))).toEqual(['second'])
    expect(second.nextElementSibling?.firstElementChild).toBe(hosts()[0])
  })

  it('uses data-endpoint instead of the script origin', () => {
    page(`<script src="${SRC}" data-form="welcome" data-endpoint="https://api.shop.test/ff/"></script>`)
    boot(document)
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('https://api.shop.test/ff/v1/forms/welcome')
  })

  it('mounts into data-target', () => {
    page(`<div id="signup-box"></div><script src="${SRC}" data-form="welcome" data-target="#signup-box"></script>`)
    boot(document)
    expect(document.getElementById('signup-box')?.firstElementChild).toBe(hosts()[0])
    expect(script().nextElementSibling).toBeNull()
  })

  it('waits for DOMContentLoaded when data-target is further down a loading page', () => {
    const readyState = vi.spyOn(document, 'readyState', 'get').mockReturnValue('loading')
    page(`<script src="${SRC}" data-form="welcome" data-target="#later"></script>`)
    boot(document)
    expect(hosts()).toHaveLength(0)
    document.body.insertAdjacentHTML('beforeend', '<div id="later"></div>')
    readyState.mockReturnValue('interactive')
    document.dispatchEvent(new Event('DOMContentLoaded'))
    expect(document.getElementById('later')?.firstElementChild).toBe(hosts()[0])
    expect(consoleError).not.toHaveBeenCalled()
  })

  it('logs a prefixed error for a data-target that matches nothing or is not a selector', () => {
    page(`<script src="${SRC}" data-form="welcome" data-target="#nowhere"></script>`)
    expect(() => boot(document)).not.toThrow()
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] data-target "#nowhere"/))

    page(`<script src="${SRC}" data-form="welcome" data-target="##"></script>`)
    expect(() => boot(document)).not.toThrow()
    expect(hosts()).toHaveLength(0)
  })

  it.each([['Welcome'], ['has space'], [''], ['a'.repeat(65)], ['../admin']])(
    'logs a prefixed error for data-form=%j and mounts nothing',
    (value) => {
      page(`<script src="${SRC}" data-form="${value}"></script>`)
      expect(() => boot(document)).not.toThrow()
      expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] data-form must match/))
      expect(hosts()).toHaveLength(0)
      expect(fetchMock).not.toHaveBeenCalled()
    },
  )

  it('accepts a tag without data-form that only loads the library, silently', () => {
    page(`<script src="${SRC}" data-endpoint="https://api.shop.test" data-nonce="n0nce"></script>`)
    setCurrentScript(script())
    expect(() => boot(document)).not.toThrow()
    expect(consoleError).not.toHaveBeenCalled()
    expect(hosts()).toHaveLength(0)
    expect(typeof window.Flowform?.mount).toBe('function')
  })

  it('logs a prefixed error for form options on a tag without data-form', () => {
    page(`<script src="${SRC}" data-mode="popup"></script>`)
    setCurrentScript(script())
    expect(() => boot(document)).not.toThrow()
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] data-form is missing/))
    expect(hosts()).toHaveLength(0)
  })

  it('logs a prefixed error for a tag in <head> without data-target', () => {
    const tag = document.createElement('script')
    tag.src = SRC
    tag.setAttribute('data-form', 'welcome')
    document.head.append(tag)
    try {
      setCurrentScript(tag)
      expect(() => boot(document)).not.toThrow()
      expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] .*data-target/))
      expect(hosts()).toHaveLength(0)
    } finally {
      tag.remove()
    }
  })

  it('logs instead of throwing for a bad data-endpoint', () => {
    page(`<script src="${SRC}" data-form="welcome" data-endpoint="ftp://files.test"></script>`)
    expect(() => boot(document)).not.toThrow()
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] endpoint must be an http\(s\) URL/))
  })

  it('passes data-nonce to the fallback <style>', () => {
    vi.stubGlobal('CSSStyleSheet', undefined)
    page(`<script src="${SRC}" data-form="welcome" data-nonce="n0nce"></script>`)
    boot(document)
    expect(hosts()[0]?.shadowRoot?.querySelector('style')?.getAttribute('nonce')).toBe('n0nce')
  })

  it('mounts once when the bundle runs twice', async () => {
    page(`<script src="${SRC}" data-form="welcome"></script>`)
    vi.resetModules()
    await import('../../widget/main')
    vi.resetModules()
    await import('../../widget/main')
    expect(hosts()).toHaveLength(1)
    expect(consoleError).not.toHaveBeenCalled()

    // The same tag as currentScript a second time is skipped too.
    setCurrentScript(script())
    boot(document)
    expect(hosts()).toHaveLength(1)
  })

  it('sets window.Flowform, keeping what a page put there, with the script origin as default endpoint', () => {
    const queue: unknown[] = []
    window.Flowform = { queue }
    page(`<script src="${SRC}" data-form="welcome"></script><div id="extra"></div>`)
    boot(document)
    expect(window.Flowform?.queue).toBe(queue)
    expect(window.Flowform?.version).toMatch(/^\d+\.\d+\.\d+/)

    const handle = window.Flowform?.mount?.(document.getElementById('extra') as Element, { form: 'extra' })
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('https://signup.shop.test/v1/forms/extra')
    handle?.unmount()
    expect(document.getElementById('extra')?.children).toHaveLength(0)
  })
})
