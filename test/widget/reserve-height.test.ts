import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, type MountOptions } from '../../widget/index'
import { rememberHeight, reserveHeight } from '../../widget/page/reserve-height'
import {
  deferred,
  ENDPOINT,
  FakeIntersectionObserver,
  json,
  OPEN_DIALOG,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

/**
 * The inline form's remembered height (widget/reserve-height.ts): stored when the form is first
 * seen, reserved as `--ff-h` on the next mount before the definition arrives (styles/widget.css turns
 * it into the box's min-height; test/e2e/layout-stability.test.ts measures the result).
 */

const KEY = 'flowform:welcome:height:en'

/** An element that reports `height` as its drawn height, as a browser would after layout. */
function drawn(height: number): Element {
  const element = document.createElement('div')
  element.getBoundingClientRect = () => ({ height }) as DOMRect
  return element
}

function blockStorage(): void {
  const refuse = (): never => {
    throw new DOMException('The operation is insecure.', 'SecurityError')
  }
  vi.stubGlobal('localStorage', { getItem: refuse, setItem: refuse, removeItem: refuse, clear: refuse })
}

describe('reserveHeight / rememberHeight', () => {
  beforeEach(() => {
    localStorage.clear()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    localStorage.clear()
  })

  it('remembers the drawn height rounded up, per form and language, and reserves exactly that', () => {
    rememberHeight(drawn(255.17), 'welcome', 'en')
    rememberHeight(drawn(305.5), 'welcome', 'de')
    expect(localStorage.getItem(KEY)).toBe('256')
    expect(localStorage.getItem('flowform:welcome:height:de')).toBe('306')

    const box = document.createElement('div')
    reserveHeight(box, 'welcome', 'en')
    expect(box.style.getPropertyValue('--ff-h')).toBe('256px')
    const german = document.createElement('div')
    reserveHeight(german, 'welcome', 'de')
    expect(german.style.getPropertyValue('--ff-h')).toBe('306px')
    // The frequency rule's own key is left alone.
    expect(localStorage.getItem('flowform:welcome')).toBeNull()
  })

  it('reserves nothing when nothing (or nothing sensible) is remembered', () => {
    for (const stored of [null, '', '0', '-40', 'tall', '12rem']) {
      if (stored === null) {
        localStorage.removeItem(KEY)
      } else {
        localStorage.setItem(KEY, stored)
      }
      const box = document.createElement('div')
      reserveHeight(box, 'welcome', 'en')
      expect(box.style.getPropertyValue('--ff-h'), `stored ${stored}`).toBe('')
    }
    const other = document.createElement('div')
    rememberHeight(drawn(300), 'newsletter', 'en')
    reserveHeight(other, 'welcome', 'en')
    expect(other.style.getPropertyValue('--ff-h')).toBe('')
  })

  it('does not remember a form that was not drawn (height 0), and keeps the last good value', () => {
    rememberHeight(drawn(240), 'welcome', 'en')
    rememberHeight(drawn(0), 'welcome', 'en')
    expect(localStorage.getItem(KEY)).toBe('240')
  })

  it('keeps the tallest height drawn until the first focus in the form, never a shorter one', () => {
    let observed: () => void = () => undefined
    let watching = false
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(callback: () => void) {
          observed = callback
        }
        observe() {
          watching = true
        }
        disconnect() {
          watching = false
        }
      },
    )
    let height = 240.2
    const form = document.createElement('div')
    form.getBoundingClientRect = () => ({ height }) as DOMRect
    rememberHeight(form, 'welcome', 'en')
    expect(localStorage.getItem(KEY)).toBe('241')
    // Drawn in stages: a line wraps a moment after the form was first seen.
    height = 260
    observed()
    expect(localStorage.getItem(KEY)).toBe('260')
    height = 250
    observed()
    expect(localStorage.getItem(KEY)).toBe('260')
    // Once the person starts (an error line, a success state), what it becomes is not remembered.
    form.dispatchEvent(new FocusEvent('focusin'))
    expect(watching).toBe(false)
    height = 400
    dispatchEvent(new Event('pagehide'))
    expect(localStorage.getItem(KEY)).toBe('260')
  })

  it('measures once more as the page goes, for growth the observer had not reported yet', () => {
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        disconnect() {}
      },
    )
    let height = 240
    const form = document.createElement('div')
    form.getBoundingClientRect = () => ({ height }) as DOMRect
    rememberHeight(form, 'welcome', 'en')
    height = 262
    dispatchEvent(new Event('pagehide'))
    expect(localStorage.getItem(KEY)).toBe('262')
  })

  it('with storage blocked, neither throws and nothing is reserved', () => {
    blockStorage()
    const box = document.createElement('div')
    expect(() => rememberHeight(drawn(255), 'welcome', 'en')).not.toThrow()
    expect(() => reserveHeight(box, 'welcome', 'en')).not.toThrow()
    expect(box.style.getPropertyValue('--ff-h')).toBe('')
  })

  it('with the storage object itself refused, neither throws', () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'localStorage')
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('Access is denied for this document.', 'SecurityError')
      },
    })
    try {
      const box = document.createElement('div')
      expect(() => rememberHeight(drawn(255), 'welcome', 'en')).not.toThrow()
      expect(() => reserveHeight(box, 'welcome', 'en')).not.toThrow()
      expect(box.style.getPropertyValue('--ff-h')).toBe('')
    } finally {
      if (descriptor) {
        Object.defineProperty(window, 'localStorage', descriptor)
      }
    }
  })
})

describe('the mounted inline form', () => {
  let target: HTMLElement

  beforeEach(() => {
    localStorage.clear()
    target = document.createElement('section')
    document.body.append(target)
    stubIntersectionObserver()
    // happy-dom lays nothing out: every element reports the height the form would have.
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ height: 255.17 } as DOMRect)
  })
  afterEach(() => {
    target.remove()
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
    localStorage.clear()
  })

  function setup(options: Partial<MountOptions> = {}) {
    const handle = mount(target, { form: 'welcome', endpoint: ENDPOINT, locale: 'en', ...options })
    const root = target.querySelector('[data-flowform]')?.shadowRoot as ShadowRoot
    return { handle, root, box: () => root.querySelector<HTMLElement>('.box') }
  }

  it('reserves the remembered height from the first render, before the definition arrives', async () => {
    localStorage.setItem(KEY, '256')
    const answer = deferred<Response>()
    stubFetch({ form: simpleForm() }).mockImplementationOnce(() => answer.promise)
    const { handle, root, box } = setup()
    // Synchronously after mount(): no frame has been drawn yet.
    expect(box()?.style.getPropertyValue('--ff-h')).toBe('256px')
    expect(box()?.querySelector('.loading')).toBeTruthy()

    answer.resolve(json(simpleForm()))
    await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
    // The box keeps it after the form arrived: a slightly shorter form must not pull the page up.
    expect(box()?.style.getPropertyValue('--ff-h')).toBe('256px')
    handle.unmount()
  })

  it('remembers the form’s height once it is seen, for the next page load in the same language', async () => {
    stubFetch()
    const { handle, root, box } = setup({ locale: 'de' })
    expect(box()?.style.getPropertyValue('--ff-h')).toBe('')
    await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
    expect(localStorage.getItem('flowform:welcome:height:de')).toBeNull()

    FakeIntersectionObserver.instances.at(-1)?.report(true)
    expect(localStorage.getItem('flowform:welcome:height:de')).toBe('256')
    expect(localStorage.getItem(KEY)).toBeNull()
    handle.unmount()

    const next = setup({ locale: 'de' })
    expect(next.box()?.style.getPropertyValue('--ff-h')).toBe('256px')
    next.handle.unmount()
  })

  it('remembers nothing for a form that failed to load', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    stubFetch({ form: json({ error: { code: 'internal' } }, 500) })
    const { handle, root } = setup()
    await waitFor(() => expect(root.querySelector('[role="alert"]')?.textContent).toMatch(/could not be loaded/))
    for (const observer of FakeIntersectionObserver.instances) {
      observer.report(true)
    }
    expect(localStorage.getItem(KEY)).toBeNull()
    handle.unmount()
  })

  it('a popup neither reserves nor remembers: it takes no room in the page', async () => {
    localStorage.setItem(KEY, '256')
    stubFetch()
    const { handle, root } = setup({ mode: 'popup', trigger: 'manual' })
    handle.open()
    await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
    expect(root.querySelector('.box')).toBeNull()
    expect([...root.querySelectorAll<HTMLElement>('*')].some((el) => el.style.getPropertyValue('--ff-h'))).toBe(false)
    // A dialog counts its view each time it opens; opened again with nothing stored, nothing is stored.
    localStorage.removeItem(KEY)
    handle.close()
    expect(root.querySelector(OPEN_DIALOG)).toBeNull()
    handle.open()
    expect(root.querySelector(OPEN_DIALOG)?.querySelector('form')).toBeTruthy()
    expect(localStorage.getItem(KEY)).toBeNull()
    handle.unmount()
  })

  it('with storage blocked, the form still renders and nothing throws', async () => {
    blockStorage()
    stubFetch()
    const { handle, root, box } = setup()
    expect(box()?.style.getPropertyValue('--ff-h')).toBe('')
    await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
    expect(() => FakeIntersectionObserver.instances.at(-1)?.report(true)).not.toThrow()
    handle.unmount()
  })
})
