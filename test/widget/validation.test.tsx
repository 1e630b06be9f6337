import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import { App } from '../../widget/form/app'
import { PAGE } from './support'
import { callsTo, ENDPOINT, settle, simpleForm, stubFetch, stubIntersectionObserver } from './support'

const form: PublicForm = {
  id: 'checks',
  fields: [
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'age', type: 'number', label: 'Age', min: '18', messages: { min: 'Grown-ups only, sorry.' } },
    { name: 'zip', type: 'text', label: 'Postcode', maxLength: 5 },
    {
      name: 'topics',
      type: 'checkboxes',
      label: 'Topics',
      required: true,
      options: [{ label: 'News', value: 'news' }],
    },
  ],
}

async function setup(definition: PublicForm = form): Promise<ReturnType<typeof stubFetch>> {
  const fetchMock = stubFetch({ form: definition })
  stubIntersectionObserver()
  render(<App page={PAGE} endpoint={ENDPOINT} formId={definition.id} />)
  await screen.findByRole('button', { name: 'Sign up' })
  return fetchMock
}

/** The text of the element(s) an input's aria-describedby points to. */
function description(input: HTMLElement): string {
  const ids = input.getAttribute('aria-describedby')?.split(' ') ?? []
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ')
}

function type(input: HTMLElement, value: string): void {
  fireEvent.input(input, { target: { value } })
  fireEvent.change(input, { target: { value } })
}

describe('client-side validation', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('shows each message next to its field, linked by aria-describedby, and sends nothing', async () => {
    const fetchMock = await setup()
    const email = screen.getByRole('textbox', { name: 'Email' })
    type(email, 'not-an-email')
    type(screen.getByLabelText('Age'), '12')
    type(screen.getByRole('textbox', { name: 'Postcode' }), '123456')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))

    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'))
    expect(description(email)).toBe('Please enter a valid email address.')
    // The error sits inside the field's own wrapper, right after the input.
    const ownError = email.closest('[part="field"]')?.querySelector('[part="error"]')
    expect(ownError?.id).toBe(email.getAttribute('aria-describedby'))
    expect(description(screen.getByLabelText('Age'))).toBe('Grown-ups only, sorry.')
    expect(description(screen.getByRole('textbox', { name: 'Postcode' }))).toBe('Please use at most 5 characters.')
    const news = screen.getByRole('checkbox', { name: 'News' })
    expect(news.getAttribute('aria-invalid')).toBe('true')
    expect(description(news)).toBe('Please fill in this field.')
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(0)
  })

  it('moves focus to the first invalid field', async () => {
    await setup()
    type(screen.getByLabelText('Age'), '12')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Email' })))
  })

  it('leaves valid fields unmarked', async () => {
    await setup()
    type(screen.getByRole('textbox', { name: 'Email' }), 'ana@example.com')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    const news = screen.getByRole('checkbox', { name: 'News' })
    await waitFor(() => expect(news.getAttribute('aria-invalid')).toBe('true'))
    const email = screen.getByRole('textbox', { name: 'Email' })
    expect(email.hasAttribute('aria-invalid')).toBe(false)
    expect(email.hasAttribute('aria-describedby')).toBe(false)
  })

  it('says nothing while the person types before the first attempt', async () => {
    await setup()
    const email = screen.getByRole('textbox', { name: 'Email' })
    type(email, 'half@')
    fireEvent.blur(email)
    await settle()
    expect(email.hasAttribute('aria-invalid')).toBe(false)
    expect(screen.queryByText('Please enter a valid email address.')).toBeNull()
  })

  it('checks a field with a message again as it changes: it goes once fixed', async () => {
    await setup()
    const email = screen.getByRole('textbox', { name: 'Email' })
    type(email, 'ana@')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(email)).toBe('Please enter a valid email address.'))

    type(email, 'ana@example')
    await settle()
    expect(description(email)).toBe('Please enter a valid email address.')
    type(email, 'ana@example.com')
    await waitFor(() => expect(email.hasAttribute('aria-invalid')).toBe(false))
    expect(screen.queryByText('Please enter a valid email address.')).toBeNull()
  })

  it('while typing, lets a message only go away, never appear or change; leaving the field brings it up to date', async () => {
    await setup()
    const email = screen.getByRole('textbox', { name: 'Email' })
    type(email, 'ana@')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(email)).toBe('Please enter a valid email address.'))

    // Emptied while typing: the message stays as it was (no "fill in" popping up mid-edit)...
    fireEvent.input(email, { target: { value: '' } })
    await settle()
    expect(description(email)).toBe('Please enter a valid email address.')
    // ...and says what is wrong now once the person leaves the field.
    fireEvent.change(email)
    await waitFor(() => expect(description(email)).toBe('Please fill in this field.'))

    fireEvent.input(email, { target: { value: 'ana@example.com' } })
    await waitFor(() => expect(email.hasAttribute('aria-invalid')).toBe(false))
  })

  it('"Please fill in this field." goes as soon as the field is not empty, even before the value is valid', async () => {
    await setup()
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    const email = screen.getByRole('textbox', { name: 'Email' })
    await waitFor(() => expect(description(email)).toBe('Please fill in this field.'))

    fireEvent.input(email, { target: { value: 'a' } })
    await waitFor(() => expect(email.hasAttribute('aria-invalid')).toBe(false))
    expect(email.closest('[part="field"]')?.querySelector('[part="error"]')).toBeNull()
    // Leaving it half done shows nothing new: the next attempt says what is wrong.
    fireEvent.change(email)
    await settle()
    expect(email.hasAttribute('aria-invalid')).toBe(false)
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(email)).toBe('Please enter a valid email address.'))
  })

  it('a field without a message gets none when the person leaves it: it waits for the next attempt', async () => {
    // A message appearing on blur pushes the fields under it down at the mousedown that blurred,
    // so the click aimed at the consent box below would miss it (test/e2e/pointer.test.ts).
    await setup()
    const email = screen.getByRole('textbox', { name: 'Email' })
    const age = screen.getByLabelText('Age')
    type(email, 'ana@example.com')
    type(age, '30')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    const news = screen.getByRole('checkbox', { name: 'News' })
    await waitFor(() => expect(news.getAttribute('aria-invalid')).toBe('true'))

    type(email, 'ana@')
    type(age, '12')
    await settle()
    expect(email.hasAttribute('aria-invalid')).toBe(false)
    expect(age.hasAttribute('aria-invalid')).toBe(false)
    expect(document.querySelectorAll('[part="error"]')).toHaveLength(1)

    fireEvent.click(news)
    await waitFor(() => expect(news.hasAttribute('aria-invalid')).toBe(false))
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(email)).toBe('Please enter a valid email address.'))
    expect(description(age)).toBe('Grown-ups only, sorry.')
  })

  it('an unticked required consent box asks for a tick, not to "fill in" a field', async () => {
    stubFetch({ form: simpleForm() })
    stubIntersectionObserver()
    render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
    fireEvent.click(await screen.findByRole('button', { name: 'Sign up' }))
    const consent = screen.getByRole('checkbox', { name: /I agree to emails/ })
    await waitFor(() => expect(description(consent)).toBe('Please tick this box to continue.'))
    expect(description(screen.getByRole('textbox', { name: /Email/ }))).toBe('Please fill in this field.')
    // Its own wording still wins.
    cleanup()
    const own = simpleForm()
    own.fields[2] = { ...own.fields[2]!, messages: { required: 'We need your consent.' } }
    stubFetch({ form: own })
    render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
    fireEvent.click(await screen.findByRole('button', { name: 'Sign up' }))
    await waitFor(() =>
      expect(description(screen.getByRole('checkbox', { name: /I agree to emails/ }))).toBe('We need your consent.'),
    )
  })

  it('a number the browser cannot read ("4e", FormData says "") is a format error, not an empty value', async () => {
    const fetchMock = await setup()
    type(screen.getByRole('textbox', { name: 'Email' }), 'ana@example.com')
    fireEvent.click(screen.getByRole('checkbox', { name: 'News' }))
    const age = screen.getByLabelText('Age') as HTMLInputElement
    // What a browser reports for "4e" in a number input: an empty value, and badInput.
    Object.defineProperty(age, 'value', { configurable: true, get: () => '' })
    Object.defineProperty(age, 'validity', { configurable: true, get: () => ({ badInput: true }) })
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(age)).toBe('Please enter a number.'))
    expect(document.activeElement).toBe(age)
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(0)

    // Fixed: the message goes when the field changes, and the form can be sent.
    Object.defineProperty(age, 'validity', { configurable: true, get: () => ({ badInput: false }) })
    fireEvent.change(age)
    await waitFor(() => expect(age.hasAttribute('aria-invalid')).toBe(false))
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
  })

  it('a title or description marked required upstream blocks nothing: it has no value', async () => {
    const fetchMock = await setup({
      id: 'content',
      fields: [
        { name: 'heading', type: 'title', text: 'Join', required: true },
        { name: 'email', type: 'email', label: 'Email', required: true },
      ],
    })
    type(screen.getByRole('textbox', { name: 'Email' }), 'ana@example.com')
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
  })

  it('lets the field’s own message win over the built-in text', async () => {
    await setup({
      id: 'custom',
      fields: [
        { name: 'email', type: 'email', label: 'Email', required: true, messages: { required: 'We need your email.' } },
      ],
    })
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
    await waitFor(() => expect(description(screen.getByRole('textbox', { name: 'Email' }))).toBe('We need your email.'))
  })
})
