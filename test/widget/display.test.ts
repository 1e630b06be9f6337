import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../widget/definition'
import type { FlowformHandle, MountOptions } from '../../widget/index'
import { mount } from '../../widget/index'
import {
  callsTo,
  errorBody,
  recordEvents,
  settle,
  shadowOf,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

// Every test gets its own endpoint: views are counted once per page load and endpoint.
let n = 0

interface Mounted {
  target: HTMLElement
  handle: FlowformHandle
  fetchMock: ReturnType<typeof stubFetch>
  root: () => ShadowRoot
  dialog: () => HTMLElement | null
}

const titled: PublicForm = simpleForm({
  fields: [{ name: 'heading', type: 'title', text: 'Join the club' }, ...simpleForm().fields],
})

function setup(options: Partial<MountOptions> = {}, form: PublicForm | Response = titled): Mounted {
  const fetchMock = stubFetch({ form })
  const target = document.createElement('div')
  document.body.append(target)
  const handle = mount(target, { form: 'welcome', endpoint: `https://display${++n}.test`, mode: 'popup', ...options })
  const root = () => shadowOf(target)
  return { target, handle, fetchMock, root, dialog: () => root().querySelector<HTMLElement>('[role="dialog"]') }
}

/** A button of the shop's page that had focus before the popup opened. */
function pageButton(): HTMLButtonElement {
  const button = document.createElement('button')
  button.textContent = 'Join the club'
  document.body.append(button)
  button.focus()
  return button
}

function key(target: Element, name: string, shiftKey = false): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key: name, shiftKey, bubbles: true, composed: true, cancelable: true })
  target.dispatchEvent(event)
  return event
}

function controls(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>('button, input:not([type=hidden]), select, textarea')]
}

beforeEach(() => {
  stubIntersectionObserver()
  localStorage.clear()
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
  document.documentElement.style.overflow = ''
  localStorage.clear()
})

describe('popup', () => {
  it('opens a modal dialog labelled by the form title, takes focus and locks page scroll', async () => {
    const { handle, root, dialog } = setup({ trigger: 'manual' })
    await settle()
    expect(dialog()).toBeNull()
    pageButton()

    handle.open()
    await waitFor(() => expect(dialog()).not.toBeNull())
    const box = dialog() as HTMLElement
    expect(box.getAttribute('aria-modal')).toBe('true')
    expect(box.getAttribute('aria-label')).toBe('Join the club')
    expect(box.getAttribute('part')).toBe('dialog popup')
    expect(box.parentElement?.getAttribute('part')).toBe('backdrop')
    expect(root().activeElement).toBe(box)
    expect(document.documentElement.style.overflow).toBe('hidden')
    expect(box.querySelector('input[name="email"]')).toBeTruthy()
    handle.unmount()
  })

  it('is labelled by a built-in text when the form has no title', async () => {
    const { handle, dialog } = setup({ trigger: 'manual' }, simpleForm())
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.getAttribute('aria-label')).toBe('Sign-up form'))
    handle.unmount()
  })

  it('keeps Tab inside: from the last control to the first, Shift+Tab from the first to the last', async () => {
    const { handle, root, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('button[type="submit"]')).toBeTruthy())
    const box = dialog() as HTMLElement
    const items = controls(box)
    const first = items[0] as HTMLElement
    const last = items.at(-1) as HTMLElement
    expect(first.getAttribute('aria-label')).toBe('Close')
    expect(last.getAttribute('type')).toBe('submit')

    last.focus()
    expect(key(last, 'Tab').defaultPrevented).toBe(true)
    expect(root().activeElement).toBe(first)

    expect(key(first, 'Tab', true).defaultPrevented).toBe(true)
    expect(root().activeElement).toBe(last)

    // Shift+Tab from the dialog itself (where focus lands on open) wraps to the last control too.
    box.focus()
    expect(key(box, 'Tab', true).defaultPrevented).toBe(true)
    expect(root().activeElement).toBe(last)

    // In the middle, the browser moves focus as usual.
    const email = box.querySelector<HTMLElement>('input[name="email"]') as HTMLElement
    email.focus()
    expect(key(email, 'Tab').defaultPrevented).toBe(false)
    handle.unmount()
  })

  it('Esc closes it, gives focus back, restores scrolling, remembers the close and says so', async () => {
    const { target, handle, dialog } = setup({ trigger: 'manual' })
    const events = recordEvents(target)
    await settle()
    const opener = pageButton()
    document.documentElement.style.overflow = 'clip'
    handle.open()
    await waitFor(() => expect(dialog()).not.toBeNull())
    expect(document.documentElement.style.overflow).toBe('hidden')

    key(dialog() as HTMLElement, 'Escape')
    await waitFor(() => expect(dialog()).toBeNull())
    expect(document.activeElement).toBe(opener)
    expect(document.documentElement.style.overflow).toBe('clip')
    expect(Number(localStorage.getItem('flowform:welcome'))).toBeGreaterThan(0)
    expect(events.filter((e) => e.type === 'close').map((e) => e.detail)).toEqual([{ form: 'welcome' }])
    handle.unmount()
  })

  it('the visible close button (named from texts) closes it', async () => {
    const { handle, root, dialog } = setup({ trigger: 'manual' }, { ...titled, texts: { close: 'Schließen' } })
    await settle()
    const opener = pageButton()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const close = root().querySelector<HTMLButtonElement>('button[part="close"]') as HTMLButtonElement
    expect(close.type).toBe('button')
    expect(close.getAttribute('aria-label')).toBe('Schließen')
    close.click()
    await waitFor(() => expect(dialog()).toBeNull())
    expect(document.activeElement).toBe(opener)
    handle.unmount()
  })

  it('a click on the backdrop closes it, a click inside does not', async () => {
    const { handle, root, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    ;(dialog()?.querySelector('input[name="email"]') as HTMLElement).click()
    await settle()
    expect(dialog()).not.toBeNull()
    ;(root().querySelector('[part="backdrop"]') as HTMLElement).click()
    await waitFor(() => expect(dialog()).toBeNull())
    handle.unmount()
  })

  it('counts the view when it is shown, not when the page loads', async () => {
    const { handle, fetchMock, dialog } = setup({ trigger: 'manual' })
    await settle()
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
    handle.close()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    expect(callsTo(fetchMock, '/views')).toHaveLength(1)
    handle.unmount()
  })

  it('unmounting while open gives the page its scrolling back', async () => {
    const { handle, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()).not.toBeNull())
    handle.unmount()
    expect(document.documentElement.style.overflow).toBe('')
  })

  it('open() and close() do nothing inline', async () => {
    const { handle, root } = setup({ mode: 'inline' })
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    handle.open()
    handle.close()
    await settle()
    expect(root().querySelector('[role="dialog"]')).toBeNull()
    expect(root().querySelector('form')).toBeTruthy()
    handle.unmount()
  })
})

describe('slide-in', () => {
  it('is a non-modal dialog in a corner with a close button, and does not take focus', async () => {
    const { handle, root, dialog } = setup({ mode: 'slide-in', trigger: 'manual' })
    await settle()
    const opener = pageButton()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const box = dialog() as HTMLElement
    expect(box.getAttribute('aria-modal')).toBe('false')
    expect(box.getAttribute('aria-label')).toBe('Join the club')
    expect(box.getAttribute('part')).toBe('dialog slide-in')
    expect(box.classList.contains('slide')).toBe(true)
    expect(root().querySelector('[part="backdrop"]')).toBeNull()
    expect(document.activeElement).toBe(opener)
    expect(document.documentElement.style.overflow).toBe('')
    expect(root().querySelector('button[part="close"]')?.getAttribute('aria-label')).toBe('Close')
    handle.unmount()
  })

  it('Esc closes it when focus is inside, and focus goes back to where it was', async () => {
    const { handle, root, dialog } = setup({ mode: 'slide-in', trigger: 'manual' })
    await settle()
    const opener = pageButton()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const email = root().querySelector<HTMLInputElement>('input[name="email"]') as HTMLInputElement
    email.focus()
    // No Tab trap: it is not modal.
    expect(key(root().querySelector('button[type="submit"]') as Element, 'Tab').defaultPrevented).toBe(false)
    key(email, 'Escape')
    await waitFor(() => expect(dialog()).toBeNull())
    expect(document.activeElement).toBe(opener)
    handle.unmount()
  })
})

describe('triggers', () => {
  it('load (the default): opens once the definition has arrived', async () => {
    const { handle, dialog } = setup({ mode: 'popup' })
    expect(dialog()).toBeNull()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    handle.unmount()
  })

  it('delay: opens after data-delay seconds (default 5), and never after unmount', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const custom = setup({ trigger: 'delay', delay: 2 })
    const standard = setup({ trigger: 'delay' })
    await settle()
    await vi.advanceTimersByTimeAsync(1_900)
    expect(custom.dialog()).toBeNull()
    await vi.advanceTimersByTimeAsync(200)
    await settle()
    expect(custom.dialog()).not.toBeNull()
    expect(standard.dialog()).toBeNull()
    await vi.advanceTimersByTimeAsync(3_000)
    await settle()
    expect(standard.dialog()).not.toBeNull()

    const early = setup({ trigger: 'delay', delay: 1 })
    await settle()
    early.handle.unmount()
    expect(vi.getTimerCount()).toBe(0)
    custom.handle.unmount()
    standard.handle.unmount()
  })

  it('scroll: opens once the page is scrolled past data-scroll percent (default 50)', async () => {
    const page = document.documentElement
    vi.spyOn(page, 'scrollHeight', 'get').mockReturnValue(3_000)
    vi.stubGlobal('innerHeight', 1_000)
    const { handle, dialog } = setup({ trigger: 'scroll', scroll: 40 })
    await settle()
    vi.stubGlobal('scrollY', 700)
    window.dispatchEvent(new Event('scroll'))
    await settle()
    expect(dialog()).toBeNull()
    vi.stubGlobal('scrollY', 800)
    window.dispatchEvent(new Event('scroll'))
    await waitFor(() => expect(dialog()).not.toBeNull())
    handle.unmount()
  })

  it('exit: opens when the pointer leaves through the top of the viewport', async () => {
    const { handle, dialog } = setup({ trigger: 'exit', frequencyDays: 0 })
    await settle()
    const leave = (clientY: number, relatedTarget: EventTarget | null = null) =>
      document.dispatchEvent(new MouseEvent('mouseout', { clientY, relatedTarget, bubbles: true }))
    leave(300)
    leave(-2, document.body)
    await settle()
    expect(dialog()).toBeNull()
    leave(-2)
    await waitFor(() => expect(dialog()).not.toBeNull())

    // A trigger fires once per page: closing and leaving again does not reopen it.
    handle.close()
    await waitFor(() => expect(dialog()).toBeNull())
    leave(-2)
    await settle()
    expect(dialog()).toBeNull()
    handle.unmount()
  })

  it('manual: only open() opens it', async () => {
    const { handle, dialog } = setup({ trigger: 'manual' })
    await settle()
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: -1 }))
    await settle()
    expect(dialog()).toBeNull()
    handle.open()
    await waitFor(() => expect(dialog()).not.toBeNull())
    handle.unmount()
  })

  it('a form that failed to load never opens by itself; open() shows the calm alert', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { handle, root, dialog } = setup({ trigger: 'load' }, errorBody(404, 'form_not_found'))
    await settle()
    expect(dialog()).toBeNull()
    handle.open()
    await waitFor(() => expect(root().querySelector('[role="alert"]')?.textContent).toBe('This form is not available.'))
    handle.unmount()
  })

  it('unmount removes the page listeners of scroll and exit triggers', async () => {
    const removedFromWindow = vi.spyOn(window, 'removeEventListener')
    const removedFromDocument = vi.spyOn(document, 'removeEventListener')
    const scroll = setup({ trigger: 'scroll' })
    const exit = setup({ trigger: 'exit' })
    await settle()
    scroll.handle.unmount()
    exit.handle.unmount()
    expect(removedFromWindow.mock.calls.map(([type]) => type)).toContain('scroll')
    expect(removedFromDocument.mock.calls.map(([type]) => type)).toContain('mouseout')
  })
})

describe('frequency', () => {
  const DAY = 86_400_000

  it('after a close, triggers stay quiet for 7 days by default; then the form shows again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'))
    const first = setup()
    await waitFor(() => expect(first.dialog()).not.toBeNull())
    first.handle.close()
    first.handle.unmount()

    vi.setSystemTime(new Date(Date.now() + 6 * DAY))
    const second = setup()
    await settle(10)
    expect(second.dialog()).toBeNull()
    // Code may always open it.
    second.handle.open()
    await waitFor(() => expect(second.dialog()).not.toBeNull())
    second.handle.unmount()

    vi.setSystemTime(new Date(Date.now() + 2 * DAY))
    const third = setup()
    await waitFor(() => expect(third.dialog()).not.toBeNull())
    third.handle.unmount()
  })

  it('after a signup too; data-frequency-days picks the period, 0 shows it every time', async () => {
    localStorage.setItem('flowform:welcome', String(Date.now() - 2 * DAY))
    const quiet = setup({ frequencyDays: 3 })
    const always = setup({ frequencyDays: 0 })
    const lapsed = setup({ frequencyDays: 1 })
    await waitFor(() => expect(always.dialog()).not.toBeNull())
    await waitFor(() => expect(lapsed.dialog()).not.toBeNull())
    expect(quiet.dialog()).toBeNull()
    for (const m of [quiet, always, lapsed]) {
      m.handle.unmount()
    }

    localStorage.clear()
    const form = setup({ trigger: 'manual' })
    await settle()
    form.handle.open()
    await waitFor(() => expect(form.dialog()?.querySelector('form')).toBeTruthy())
    const root = form.root()
    ;(root.querySelector('input[name="email"]') as HTMLInputElement).value = 'ana@example.com'
    ;(root.querySelector('input[name="consent"]') as HTMLInputElement).checked = true
    ;(root.querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(root.querySelector('[role="status"]')?.textContent).toBe('Thanks for signing up!'))
    expect(Number(localStorage.getItem('flowform:welcome'))).toBeGreaterThan(0)
    form.handle.unmount()
  })

  it('with storage blocked, it shows every time and nothing throws', async () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
      setItem: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    })
    const first = setup()
    await waitFor(() => expect(first.dialog()).not.toBeNull())
    first.handle.close()
    first.handle.unmount()
    const second = setup()
    await waitFor(() => expect(second.dialog()).not.toBeNull())
    second.handle.unmount()
  })

  it('with the storage object itself refused, it still shows', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'localStorage')
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('Access is denied for this document.', 'SecurityError')
      },
    })
    try {
      const form = setup()
      await waitFor(() => expect(form.dialog()).not.toBeNull())
      form.handle.close()
      form.handle.unmount()
    } finally {
      if (descriptor) {
        Object.defineProperty(window, 'localStorage', descriptor)
      }
    }
  })
})
