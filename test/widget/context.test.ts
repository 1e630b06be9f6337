import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import type { MountOptions } from '../../widget/index'
import { mount } from '../../widget/index'
import { callsTo, shadowOf, stubFetch, stubIntersectionObserver } from './support'

const form: PublicForm = {
  id: 'welcome',
  fields: [
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'firstName', type: 'text', label: 'First name' },
    {
      name: 'size',
      type: 'select',
      label: 'Size',
      options: [
        { label: 'Small', value: 's' },
        { label: 'Large', value: 'l' },
      ],
    },
    {
      name: 'frequency',
      type: 'radio',
      label: 'How often?',
      options: [
        { label: 'Weekly', value: 'weekly' },
        { label: 'Monthly', value: 'monthly' },
      ],
    },
    { name: 'consent', type: 'checkbox', label: 'I agree to receive emails', required: true },
    { name: 'utm_source', type: 'hidden' },
    { name: 'utm_medium', type: 'hidden', value: 'configured' },
    { name: 'utm_campaign', type: 'hidden', maxLength: 10 },
    { name: 'utm_term', type: 'hidden' },
    { name: 'utm_content', type: 'hidden' },
    { name: 'page_url', type: 'hidden' },
    { name: 'referrer', type: 'hidden' },
    { name: 'source', type: 'hidden', value: 'footer' },
  ],
}

const original = location.href
let n = 0

function visit(pathAndQuery: string): void {
  history.replaceState(null, '', pathAndQuery)
}

async function setup(
  options: Partial<MountOptions> = {},
): Promise<{ root: ShadowRoot; fetchMock: ReturnType<typeof stubFetch> }> {
  const fetchMock = stubFetch({ form })
  const target = document.createElement('div')
  document.body.append(target)
  mount(target, { form: 'welcome', endpoint: `https://context${++n}.test`, ...options })
  const root = shadowOf(target)
  await waitFor(() => expect(root.querySelector('form')).toBeTruthy())
  return { root, fetchMock }
}

function input(root: ShadowRoot, name: string): HTMLInputElement {
  return root.querySelector(`[name="${name}"]`) as HTMLInputElement
}

async function submitted(
  root: ShadowRoot,
  fetchMock: ReturnType<typeof stubFetch>,
): Promise<{ values: Record<string, unknown>; context: unknown }> {
  input(root, 'email').value ||= 'ana@example.com'
  input(root, 'consent').checked = true
  ;(root.querySelector('button[type="submit"]') as HTMLButtonElement).click()
  await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
  return JSON.parse(String(callsTo(fetchMock, '/submissions')[0]?.[1]?.body))
}

beforeEach(() => {
  stubIntersectionObserver()
})

afterEach(() => {
  history.replaceState(null, '', original)
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('context capture', () => {
  it('fills hidden utm_*, page_url and referrer fields from the page, and sends context', async () => {
    vi.spyOn(document, 'referrer', 'get').mockReturnValue('https://news.example.org/issue/12?uid=99#top')
    visit(
      '/beans/guji?utm_source=newsletter&utm_campaign=spring-sale-2026&utm_term=coffee&utm_content=hero&ref=x#reviews',
    )
    const { root, fetchMock } = await setup()
    expect(input(root, 'utm_source').value).toBe('newsletter')
    const body = await submitted(root, fetchMock)
    expect(body.values).toMatchObject({
      utm_source: 'newsletter',
      // Not in the URL: the config's value stays.
      utm_medium: 'configured',
      // Cut to the field's maxLength, so the value can never block the signup.
      utm_campaign: 'spring-sal',
      utm_term: 'coffee',
      utm_content: 'hero',
      // URLs lose their query and fragment: they may carry personal data.
      page_url: `${location.origin}/beans/guji`,
      referrer: 'https://news.example.org/issue/12',
      // Other hidden fields keep their value.
      source: 'footer',
    })
    expect(body.context).toEqual({ campaign: 'spring-sale-2026', page: `${location.origin}/beans/guji`, locale: 'en' })
  })

  it('sends no campaign when the page has none, and the form language as locale', async () => {
    visit('/plain')
    const { root, fetchMock } = await setup({ locale: 'hr' })
    const body = await submitted(root, fetchMock)
    expect(body.context).toEqual({ page: `${location.origin}/plain`, locale: 'hr' })
    expect(body.values).toMatchObject({ utm_source: '', utm_medium: 'configured', referrer: '' })
  })
})

describe('prefill', () => {
  it('fills visible fields from the query string, never hidden fields or checkboxes', async () => {
    visit('/?email=kim%40example.com&FIRSTNAME=Kim&size=l&frequency=monthly&consent=true&source=evil&unknown=1')
    const { root, fetchMock } = await setup()
    expect(input(root, 'email').value).toBe('kim@example.com')
    expect(input(root, 'firstName').value).toBe('Kim')
    expect((root.querySelector('select[name="size"]') as HTMLSelectElement).value).toBe('l')
    expect((root.querySelector('input[name="frequency"][value="monthly"]') as HTMLInputElement).checked).toBe(true)
    expect((root.querySelector('input[name="frequency"][value="weekly"]') as HTMLInputElement).checked).toBe(false)
    expect(input(root, 'consent').checked).toBe(false)
    expect(input(root, 'source').value).toBe('footer')
    const body = await submitted(root, fetchMock)
    expect(body.values).toMatchObject({
      email: 'kim@example.com',
      firstName: 'Kim',
      size: 'l',
      frequency: 'monthly',
      source: 'footer',
    })
  })

  it('the embed’s own prefill (data-prefill-*) wins over the query string', async () => {
    visit('/?email=query%40example.com&firstName=Query')
    const { root } = await setup({ prefill: { firstname: 'Attribute', consent: 'true', source: 'x' } })
    expect(input(root, 'firstName').value).toBe('Attribute')
    expect(input(root, 'email').value).toBe('query@example.com')
    expect(input(root, 'consent').checked).toBe(false)
    expect(input(root, 'source').value).toBe('footer')
  })

  it('a prefilled value is the person’s to change: re-renders do not force it back', async () => {
    visit('/?firstName=Kim')
    const { root } = await setup()
    input(root, 'firstName').value = 'Kimberly'
    ;(root.querySelector('button[type="submit"]') as HTMLButtonElement).click()
    await waitFor(() => expect(root.querySelector('[aria-invalid="true"]')).toBeTruthy())
    expect(input(root, 'firstName').value).toBe('Kimberly')
  })
})
