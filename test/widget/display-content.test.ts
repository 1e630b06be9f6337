import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import type { MountOptions } from '../../widget/index'
import { mount } from '../../widget/index'
import { json, OPEN_DIALOG, shadowOf, simpleForm, stubFetch, stubIntersectionObserver } from './support'

// Every test gets its own endpoint: views and triggers are once per page load and endpoint.
let n = 0

const offer: PublicForm = simpleForm({
  display: {
    headline: '10 % off your first order',
    text: 'Join the club.',
    image: { src: '/demo/offer.svg', alt: 'A cup of coffee', width: 480, height: 200 },
    teaser: '10 % off',
  },
})

function setup(options: Partial<MountOptions>, form: PublicForm = offer) {
  stubFetch({ form, submit: json({ status: 'enrolled' }) })
  const target = document.createElement('div')
  document.body.append(target)
  const handle = mount(target, { form: 'welcome', endpoint: `https://content${++n}.test`, ...options })
  const root = () => shadowOf(target)
  return { handle, root, teaser: () => root().querySelector<HTMLButtonElement>('button[part="teaser"]') }
}

beforeEach(() => {
  stubIntersectionObserver()
  localStorage.clear()
})

afterEach(() => {
  document.body.replaceChildren()
  vi.unstubAllGlobals()
})

describe('a popup’s own content', () => {
  it('shows the headline, text and image (with its size) above the form, and names the dialog by the headline', async () => {
    const { root, handle } = setup({ mode: 'popup', trigger: 'load' })
    await waitFor(() => expect(root().querySelector(OPEN_DIALOG)).toBeTruthy())
    const dialog = root().querySelector(OPEN_DIALOG) as HTMLElement
    expect(dialog.getAttribute('aria-label')).toBe('10 % off your first order')
    expect(dialog.querySelector('h2[part="headline"]')?.textContent).toBe('10 % off your first order')
    expect(dialog.querySelector('[part="text"]')?.textContent).toBe('Join the club.')
    const image = dialog.querySelector('img') as HTMLImageElement
    expect([image.getAttribute('src'), image.alt, image.getAttribute('width'), image.getAttribute('height')]).toEqual([
      '/demo/offer.svg',
      'A cup of coffee',
      '480',
      '200',
    ])
    // Before the form, in reading order.
    expect(image.compareDocumentPosition(dialog.querySelector('form') as Node)).toBe(Node.DOCUMENT_POSITION_FOLLOWING)
    handle.unmount()
  })

  it('is not drawn by an inline form: the shop’s page is around it', async () => {
    const { root, teaser, handle } = setup({})
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    expect(root().querySelector('img, [part="headline"]')).toBeNull()
    expect(teaser()).toBeNull()
    handle.unmount()
  })

  it('a popup without display content has none of it', async () => {
    const { root, teaser, handle } = setup({ mode: 'popup', trigger: 'load' }, simpleForm())
    await waitFor(() => expect(root().querySelector(OPEN_DIALOG)).toBeTruthy())
    expect(root().querySelector('img, [part="headline"], [part="text"]')).toBeNull()
    expect(teaser()).toBeNull()
    handle.unmount()
  })
})

describe('the teaser tab', () => {
  it('reopens a closed popup, and focus comes back to it on closing', async () => {
    const { root, teaser, handle } = setup({ mode: 'popup', trigger: 'load' })
    await waitFor(() => expect(root().querySelector(OPEN_DIALOG)).toBeTruthy())
    handle.close()
    expect(root().querySelector(OPEN_DIALOG)).toBeNull()
    const tab = teaser() as HTMLButtonElement
    expect(tab.type).toBe('button')
    expect(tab.textContent).toBe('10 % off')
    tab.focus()
    tab.click()
    await waitFor(() => expect(root().querySelector(OPEN_DIALOG)).toBeTruthy())
    ;(root().querySelector('button[part="close"]') as HTMLButtonElement).click()
    expect(root().activeElement).toBe(tab)
    handle.unmount()
  })

  it('goes away once the person signed up', async () => {
    const { root, teaser, handle } = setup({ mode: 'slide-in', trigger: 'load' })
    await waitFor(() => expect(root().querySelector('form')).toBeTruthy())
    expect(teaser()).toBeTruthy()
    const form = root().querySelector('form') as HTMLFormElement
    ;(form.querySelector('input[type="email"]') as HTMLInputElement).value = 'ana@example.com'
    ;(form.querySelector('input[type="checkbox"]') as HTMLInputElement).checked = true
    form.requestSubmit()
    await waitFor(() => expect(root().querySelector('[role="status"]')?.textContent).toBe('Thanks for signing up!'))
    expect(teaser()).toBeNull()
    // The host says so, for a shop's CSS that reserved room for the form.
    expect(root().host.hasAttribute('data-signed')).toBe(true)
    // The host says so, for a shop's CSS that reserved room for the form.
    expect(root().host.hasAttribute('data-signed')).toBe(true)
    handle.unmount()
  })
})
