import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DialogOptions } from '../../widget/dialog/controller'
import { createDialog } from '../../widget/dialog/controller'
import { createPageState } from '../../widget/page/state'

/**
 * The dialog controller on its own: a plain module, driven here with a bare <dialog> or <div> and
 * fake timers, without Preact, a definition or a proxy.
 */

let box: HTMLElement
let emitted: string[]

function setup(options: Partial<DialogOptions> = {}, tag: 'dialog' | 'div' = 'dialog') {
  box = document.createElement(tag)
  box.innerHTML = '<button id="close">×</button><input id="email"><button id="send">Send</button>'
  if (tag === 'div') {
    box.hidden = true
  }
  document.body.append(box)
  emitted = []
  const page = options.page ?? createPageState()
  const dialog = createDialog({
    mode: tag === 'dialog' ? 'popup' : 'slide-in',
    endpoint: 'https://api.test',
    formId: 'welcome',
    trigger: 'manual',
    delay: 5,
    scroll: 50,
    frequencyDays: 7,
    page,
    box: () => box,
    emit: (type) => emitted.push(type),
    ...options,
  })
  return { dialog, page }
}

function key(name: string, shiftKey = false): KeyboardEvent {
  return new KeyboardEvent('keydown', { key: name, shiftKey, cancelable: true })
}

beforeEach(() => {
  localStorage.clear()
})

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
  document.documentElement.style.overflow = ''
})

describe('createDialog', () => {
  it('opens a popup modally: scroll locked, focus on the box; closing gives both back', () => {
    const opener = document.body.appendChild(document.createElement('button'))
    opener.focus()
    const { dialog } = setup()
    dialog.loaded()
    dialog.open()
    expect((box as HTMLDialogElement).open).toBe(true)
    expect(document.documentElement.style.overflow).toBe('hidden')
    expect(document.activeElement).toBe(box)
    expect(emitted).toEqual(['view'])
    dialog.close()
    expect((box as HTMLDialogElement).open).toBe(false)
    expect(document.documentElement.style.overflow).toBe('')
    expect(document.activeElement).toBe(opener)
    expect(emitted).toEqual(['view', 'close'])
  })

  it('keeps the page scroll locked until the last of two popups closes, then restores its own value', () => {
    document.documentElement.style.overflow = 'scroll'
    const page = createPageState()
    const first = setup({ page }).dialog
    const second = setup({ page }).dialog
    first.open()
    second.open()
    first.close()
    expect(document.documentElement.style.overflow).toBe('hidden')
    second.close()
    expect(document.documentElement.style.overflow).toBe('scroll')
  })

  it('shows a slide-in without taking focus or locking scroll', () => {
    const { dialog } = setup({}, 'div')
    dialog.open()
    expect(box.hidden).toBe(false)
    expect(document.documentElement.style.overflow).toBe('')
    expect(document.activeElement).not.toBe(box)
    dialog.close()
    expect(box.hidden).toBe(true)
  })

  it('a view is emitted only with a definition: on open, or when it arrives while open', () => {
    const { dialog } = setup()
    dialog.open()
    expect(emitted).toEqual([])
    dialog.loaded()
    expect(emitted).toEqual(['view'])
  })

  it('Esc closes; Tab wraps inside a popup, both ways', () => {
    const { dialog } = setup()
    dialog.open()
    const [first, , last] = [...box.querySelectorAll<HTMLElement>('button,input')]
    last?.focus()
    const tab = key('Tab')
    dialog.on.onKeyDown(tab)
    expect(tab.defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(first)
    const back = key('Tab', true)
    dialog.on.onKeyDown(back)
    expect(document.activeElement).toBe(last)
    dialog.on.onKeyDown(key('Escape'))
    expect((box as HTMLDialogElement).open).toBe(false)
  })

  it('open() and close() pair up however often they are called', () => {
    const { dialog } = setup()
    dialog.open()
    dialog.open()
    dialog.close()
    dialog.close()
    expect(emitted).toEqual(['close'])
    expect(document.documentElement.style.overflow).toBe('')
  })

  it('a delay trigger opens after its seconds, once the definition is there', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { dialog } = setup({ trigger: 'delay', delay: 30 })
    dialog.arm()
    vi.advanceTimersByTime(29_999)
    dialog.loaded()
    expect((box as HTMLDialogElement).open).toBe(false)
    vi.advanceTimersByTime(1)
    expect((box as HTMLDialogElement).open).toBe(true)
  })

  it('a trigger that fires before the definition opens when it arrives', () => {
    const { dialog } = setup({ trigger: 'load' })
    dialog.arm()
    expect((box as HTMLDialogElement).open).toBe(false)
    dialog.loaded()
    expect((box as HTMLDialogElement).open).toBe(true)
  })

  it('a close keeps the trigger quiet for frequencyDays; 0 days does not', () => {
    const first = setup({ trigger: 'load' }).dialog
    first.arm()
    first.loaded()
    first.close()
    // A fresh page load (new page state) within the period: no auto-open.
    const second = setup({ trigger: 'load' }).dialog
    second.arm()
    second.loaded()
    expect((box as HTMLDialogElement).open).toBe(false)
    const third = setup({ trigger: 'load', frequencyDays: 0 }).dialog
    third.arm()
    third.loaded()
    expect((box as HTMLDialogElement).open).toBe(true)
  })

  it('fires a trigger once per page load, whatever remounts', () => {
    const page = createPageState()
    const first = setup({ trigger: 'load', page, frequencyDays: 0 }).dialog
    first.arm()
    first.loaded()
    first.destroy()
    const again = setup({ trigger: 'load', page, frequencyDays: 0 }).dialog
    again.arm()
    again.loaded()
    expect((box as HTMLDialogElement).open).toBe(false)
  })

  it('destroy() stops a pending trigger and closes without the frequency note', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { dialog } = setup({ trigger: 'delay', delay: 1 })
    dialog.arm()
    dialog.loaded()
    dialog.destroy()
    vi.advanceTimersByTime(1000)
    expect((box as HTMLDialogElement).open).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
    expect(localStorage.getItem('flowform:welcome')).toBeNull()
  })

  it('a trigger finding the box gone from the page calls gone() instead of opening', () => {
    const gone = vi.fn()
    const { dialog } = setup({ trigger: 'load', gone })
    box.remove()
    dialog.arm()
    dialog.loaded()
    expect(gone).toHaveBeenCalledTimes(1)
  })
})
