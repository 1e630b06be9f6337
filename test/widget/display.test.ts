import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import type { FlowformHandle, MountOptions } from '../../widget/index'
import { mount, toggle } from '../../widget/index'
import {
  callsTo,
  deferred,
  errorBody,
  json,
  OPEN_DIALOG,
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
  return { target, handle, fetchMock, root, dialog: () => root().querySelector<HTMLElement>(OPEN_DIALOG) }
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

/** A pointer event at (x, y); happy-dom lays nothing out, so every box is at 0,0 and any other point is outside it. */
function pointer(target: Element, type: string, x = 5, y = 5): void {
  target.dispatchEvent(
    new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, composed: true, cancelable: true }),
  )
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
  it('opens a modal <dialog> (top layer) labelled by the form title, takes focus and locks page scroll', async () => {
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal')
    const { handle, root, dialog } = setup({ trigger: 'manual' })
    await settle()
    expect(dialog()).toBeNull()
    pageButton()

    handle.open()
    // Synchronously: open() is done when it returns.
    const box = dialog() as HTMLElement
    expect(box.tagName).toBe('DIALOG')
    expect(showModal).toHaveBeenCalledTimes(1)
    expect(box.getAttribute('aria-modal')).toBe('true')
    expect(box.getAttribute('aria-label')).toBe('Join the club')
    expect(box.getAttribute('part')).toBe('dialog popup')
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
    const { handle, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const box = dialog() as HTMLElement
    ;(box.querySelector('input[name="email"]') as HTMLElement).click()
    // On the dialog's own padding: aimed at the dialog, but inside its box.
    pointer(box, 'pointerdown', 0, 0)
    pointer(box, 'click', 0, 0)
    await settle()
    expect(dialog()).not.toBeNull()
    // The ::backdrop: aimed at the dialog, outside its box.
    pointer(box, 'pointerdown')
    pointer(box, 'click')
    expect(dialog()).toBeNull()
    handle.unmount()
  })

  it('a drag from inside the form that ends on the backdrop (selecting text) does not close it', async () => {
    const { handle, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const box = dialog() as HTMLElement
    const email = box.querySelector('input[name="email"]') as HTMLInputElement
    email.value = 'kim@example.com'
    pointer(email, 'pointerdown')
    // The browser fires the click on the common ancestor of press and release: the dialog.
    pointer(box, 'click')
    await settle()
    expect(dialog()).toBe(box)
    expect(email.value).toBe('kim@example.com')
    expect(localStorage.getItem('flowform:welcome')).toBeNull()
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

  it('open() twice and close() once gives the page its scrolling back', async () => {
    const { handle, dialog } = setup({ trigger: 'manual' })
    await settle()
    document.documentElement.style.overflow = 'clip'
    handle.open()
    handle.open()
    expect(document.documentElement.style.overflow).toBe('hidden')
    handle.close()
    expect(dialog()).toBeNull()
    expect(document.documentElement.style.overflow).toBe('clip')
    handle.unmount()
    expect(document.documentElement.style.overflow).toBe('clip')
  })

  it('close() and unmount() in one tick unlock once: the next popup still locks and unlocks', async () => {
    const first = setup({ trigger: 'manual' })
    const second = setup({ trigger: 'manual' })
    await settle()
    first.handle.open()
    first.handle.close()
    first.handle.unmount()
    expect(document.documentElement.style.overflow).toBe('')
    second.handle.open()
    expect(document.documentElement.style.overflow).toBe('hidden')
    second.handle.close()
    expect(document.documentElement.style.overflow).toBe('')
    second.handle.unmount()
  })

  it('unmounting while open gives focus back to the opener and says close, without the frequency note', async () => {
    const { target, handle, root, dialog } = setup({ trigger: 'manual' })
    const events = recordEvents(target)
    await settle()
    const opener = pageButton()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    ;(root().querySelector('input[name="email"]') as HTMLInputElement).focus()
    handle.unmount()
    expect(document.activeElement).toBe(opener)
    expect(events.map((e) => e.type)).toEqual(['view', 'close'])
    expect(localStorage.getItem('flowform:welcome')).toBeNull()
  })

  it('unmounting a slide-in that never had focus leaves focus where it is', async () => {
    const { handle } = setup({ mode: 'slide-in', trigger: 'manual' })
    await settle()
    handle.open()
    const other = pageButton()
    handle.unmount()
    expect(document.activeElement).toBe(other)
  })

  it('keeps the form while closed: typed values, the success message and its view count survive a close', async () => {
    const { handle, fetchMock, root, dialog } = setup({ trigger: 'manual' })
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    ;(root().querySelector('input[name="email"]') as HTMLInputElement).value = 'kim@example.com'
    handle.close()
    handle.open()
    expect((dialog()?.querySelector('input[name="email"]') as HTMLInputElement).value).toBe('kim@example.com')
    ;(root().querySelector('input[name="consent"]') as HTMLInputElement).checked = true
    ;(root().querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(root().querySelector('[role="status"]')?.textContent).toBe('Thanks for signing up!'))
    handle.close()
    handle.open()
    expect(dialog()?.querySelector('[role="status"]')?.textContent).toBe('Thanks for signing up!')
    expect(dialog()?.querySelector('form')).toBeNull()
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(1)
    handle.unmount()
  })

  it('closed while sending and opened again: the same pending submission, never a second POST', async () => {
    const answer = deferred<Response>()
    const { target, handle, fetchMock, root, dialog } = setup({ trigger: 'manual' })
    fetchMock.mockImplementation(async (input, init) =>
      init?.method === 'POST' && String(input).endsWith('/submissions') ? answer.promise : json(titled),
    )
    const events = recordEvents(target)
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    ;(root().querySelector('input[name="email"]') as HTMLInputElement).value = 'kim@example.com'
    ;(root().querySelector('input[name="consent"]') as HTMLInputElement).checked = true
    ;(root().querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
    handle.close()
    handle.open()
    const button = dialog()?.querySelector('button[type="submit"]') as HTMLButtonElement
    expect(button.getAttribute('aria-disabled')).toBe('true')
    expect((dialog()?.querySelector('input[name="email"]') as HTMLInputElement).value).toBe('kim@example.com')
    button.click()
    await settle()
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(1)
    answer.resolve(json({ status: 'enrolled' }))
    await waitFor(() => expect(dialog()?.querySelector('[role="status"]')?.textContent).toBe('Thanks for signing up!'))
    expect(events.map((e) => e.type)).toEqual(['view', 'submit', 'close', 'view', 'success'])
    handle.unmount()
  })

  it('unmounted while sending: success is still announced, but nothing is drawn and no redirect happens', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined)
    const answer = deferred<Response>()
    const form = { ...titled, afterSubmit: { type: 'redirect' as const, value: 'https://shop.test/thanks' } }
    const { target, handle, fetchMock, root, dialog } = setup({ trigger: 'manual' }, form)
    fetchMock.mockImplementation(async (input, init) =>
      init?.method === 'POST' && String(input).endsWith('/submissions') ? answer.promise : json(form),
    )
    // On the host itself: once unmounted it is off the page, and its events reach no ancestor.
    const events = recordEvents(target.firstElementChild as Element)
    await settle()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const shadow = root()
    ;(shadow.querySelector('input[name="email"]') as HTMLInputElement).value = 'kim@example.com'
    ;(shadow.querySelector('input[name="consent"]') as HTMLInputElement).checked = true
    ;(shadow.querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
    handle.unmount()
    answer.resolve(json({ status: 'enrolled' }))
    await waitFor(() => expect(events.map((e) => e.type)).toContain('success'))
    await settle()
    expect(assign).not.toHaveBeenCalled()
    expect(shadow.querySelector('[role="status"]')).toBeNull()
  })

  it('open() and close() do nothing inline', async () => {
    const { handle, root } = setup({ mode: 'inline' })
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    handle.open()
    handle.close()
    await settle()
    expect(root().querySelector(OPEN_DIALOG)).toBeNull()
    expect(root().querySelector('form')).toBeTruthy()
    handle.unmount()
  })
})

describe('slide-in', () => {
  it('is a non-modal dialog in a corner (a popover: top layer) with a close button, and does not take focus', async () => {
    // happy-dom has no popovers; the widget uses them where the browser has them.
    const showPopover = vi.fn()
    const hidePopover = vi.fn()
    Object.assign(HTMLElement.prototype, { showPopover, hidePopover })
    const show = vi.spyOn(HTMLDialogElement.prototype, 'show')
    const { handle, root, dialog } = setup({ mode: 'slide-in', trigger: 'manual' })
    await settle()
    const opener = pageButton()
    handle.open()
    await waitFor(() => expect(dialog()?.querySelector('form')).toBeTruthy())
    const box = dialog() as HTMLElement
    expect(box.getAttribute('popover')).toBe('manual')
    expect(showPopover).toHaveBeenCalledTimes(1)
    // show() would move focus into it.
    expect(show).not.toHaveBeenCalled()
    expect(box.getAttribute('aria-modal')).toBe('false')
    expect(box.getAttribute('aria-label')).toBe('Join the club')
    expect(box.getAttribute('part')).toBe('dialog slide-in')
    expect(box.classList.contains('slide')).toBe(true)
    expect(root().querySelector('[part="backdrop"]')).toBeNull()
    expect(document.activeElement).toBe(opener)
    expect(document.documentElement.style.overflow).toBe('')
    expect(root().querySelector('button[part="close"]')?.getAttribute('aria-label')).toBe('Close')
    handle.close()
    expect(hidePopover).toHaveBeenCalledTimes(1)
    expect(dialog()).toBeNull()
    handle.unmount()
    Reflect.deleteProperty(HTMLElement.prototype, 'showPopover')
    Reflect.deleteProperty(HTMLElement.prototype, 'hidePopover')
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
    await waitFor(() =>
      expect(root().querySelector('[role="alert"]')?.textContent).toBe('The form could not be loaded.'),
    )
    handle.unmount()
  })

  it('unmount removes the page listeners of scroll and exit triggers: the very ones it added', async () => {
    const addedToWindow = vi.spyOn(window, 'addEventListener')
    const addedToDocument = vi.spyOn(document, 'addEventListener')
    const removedFromWindow = vi.spyOn(window, 'removeEventListener')
    const removedFromDocument = vi.spyOn(document, 'removeEventListener')
    const scroll = setup({ trigger: 'scroll' })
    const exit = setup({ trigger: 'exit' })
    // Armed once the dialog chunk is there.
    await settle()
    const listener = (spy: typeof addedToWindow, type: string) => spy.mock.calls.find(([t]) => t === type)?.[1]
    const onScroll = listener(addedToWindow, 'scroll')
    const onExit = listener(addedToDocument, 'mouseout')
    expect(typeof onScroll).toBe('function')
    expect(typeof onExit).toBe('function')
    expect(removedFromWindow.mock.calls.some(([, handler]) => handler === onScroll)).toBe(false)
    scroll.handle.unmount()
    exit.handle.unmount()
    expect(
      removedFromWindow.mock.calls.filter(([type, handler]) => type === 'scroll' && handler === onScroll),
    ).toHaveLength(1)
    expect(
      removedFromDocument.mock.calls.filter(([type, handler]) => type === 'mouseout' && handler === onExit),
    ).toHaveLength(1)
  })

  it('fires once per page load: a remount of the same form does not open it again', async () => {
    const endpoint = `https://display${++n}.test`
    const first = setup({ endpoint, frequencyDays: 0 })
    await waitFor(() => expect(first.dialog()).not.toBeNull())
    first.handle.unmount()
    const again = setup({ endpoint, frequencyDays: 0 })
    await settle(10)
    expect(again.dialog()).toBeNull()
    // Code may still open it.
    again.handle.open()
    expect(again.dialog()).not.toBeNull()
    again.handle.unmount()

    // A delay that did not fire before the unmount still fires after a remount, once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const other = `https://display${++n}.test`
    const early = setup({ endpoint: other, trigger: 'delay', delay: 1, frequencyDays: 0 })
    await settle()
    early.handle.unmount()
    const later = setup({ endpoint: other, trigger: 'delay', delay: 1, frequencyDays: 0 })
    await settle()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(later.dialog()).not.toBeNull()
    later.handle.unmount()
  })

  it('a form removed from the page without unmount(): its trigger neither opens it nor locks the page, and it is cleaned up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { target, handle, fetchMock } = setup({ trigger: 'delay', delay: 2, frequencyDays: 0 })
    await settle()
    const host = target.firstElementChild as HTMLElement
    const events = recordEvents(host)
    target.remove()
    await vi.advanceTimersByTimeAsync(2_000)
    await settle()
    expect(document.documentElement.style.overflow).toBe('')
    expect(host.shadowRoot?.querySelector('[role="dialog"]')).toBeNull()
    expect(events).toEqual([])
    expect(callsTo(fetchMock, '/views')).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
    // No longer reachable by id, and open() on its handle does nothing.
    handle.open()
    expect(document.documentElement.style.overflow).toBe('')
    toggle('welcome', true)
    expect(error).toHaveBeenCalledWith('[flowform] no form "welcome" is mounted on this page')
  })

  it('mounted into an element that joins the page before the definition arrives: the load trigger opens it', async () => {
    const answer = deferred<Response>()
    stubFetch({ form: titled }).mockImplementationOnce(() => answer.promise)
    const target = document.createElement('div')
    const handle = mount(target, {
      form: 'welcome',
      endpoint: `https://display${++n}.test`,
      mode: 'popup',
      frequencyDays: 0,
    })
    document.body.append(target)
    answer.resolve(json(titled))
    await waitFor(() => expect(shadowOf(target).querySelector(OPEN_DIALOG)).not.toBeNull())
    handle.unmount()
  })

  it('Flowform.open(id) skips and cleans up a form whose target left the page, and open() on it does nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const gone = setup({ trigger: 'manual' })
    const kept = setup({ trigger: 'manual' })
    await settle()
    const host = gone.target.firstElementChild as HTMLElement
    gone.target.remove()
    gone.handle.open()
    expect(host.shadowRoot?.querySelector(OPEN_DIALOG)).toBeNull()
    expect(document.documentElement.style.overflow).toBe('')
    toggle('welcome', true)
    expect(kept.dialog()).not.toBeNull()
    // Unmounted: its shadow root is empty and its target may be mounted again.
    expect(host.shadowRoot?.querySelector('[role="dialog"]')).toBeNull()
    expect(gone.target.children).toHaveLength(0)
    kept.handle.unmount()
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
