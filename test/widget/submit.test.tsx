import { fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import { App } from '../../widget/form/app'
import * as lazy from '../../widget/lazy/chunk'
import { PAGE } from './support'
import type { FetchRoutes } from './support'
import {
  callsTo,
  deferred,
  ENDPOINT,
  errorBody,
  json,
  settle,
  simpleForm,
  stubFetch,
  stubIntersectionObserver,
} from './support'

const form: PublicForm = simpleForm({
  fields: [
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'firstName', type: 'text', label: 'First name' },
    { name: 'colour', type: 'radio', label: 'Colour', options: [{ label: 'Red', value: 'red' }] },
    {
      name: 'topics',
      type: 'checkboxes',
      label: 'Topics',
      options: [
        { label: 'News', value: 'news' },
        { label: 'Deals', value: 'deals' },
      ],
    },
    { name: 'consent', type: 'checkbox', label: 'Consent', checkboxText: 'I agree to emails', required: true },
    { name: 'marketing', type: 'checkbox', label: 'Also SMS' },
    { name: 'source', type: 'hidden', value: 'footer' },
    { name: 'heading', type: 'title', text: 'Hello' },
  ],
})

async function setup(routes: FetchRoutes = {}, definition: PublicForm = form): Promise<ReturnType<typeof stubFetch>> {
  const fetchMock = stubFetch({ form: definition, ...routes })
  render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
  await screen.findByRole('button', { name: 'Sign up' })
  return fetchMock
}

function fillValid(): void {
  fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: ' ana@example.com ' } })
  fireEvent.input(screen.getByRole('textbox', { name: 'First name' }), { target: { value: '  Ana ' } })
  fireEvent.click(screen.getByRole('radio', { name: 'Red' }))
  fireEvent.click(screen.getByRole('checkbox', { name: 'Deals' }))
  fireEvent.click(screen.getByRole('checkbox', { name: 'I agree to emails' }))
}

function submit(): void {
  fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
}

describe('submitting', () => {
  beforeEach(() => {
    stubIntersectionObserver()
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('POSTs {"values": ...} as JSON to the form’s submissions URL, text trimmed', async () => {
    const fetchMock = await setup()
    fillValid()
    submit()
    await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
    const [url, init] = callsTo(fetchMock, '/submissions')[0] ?? []
    expect(url).toBe('https://api.test/v1/forms/welcome/submissions')
    expect(init?.method).toBe('POST')
    expect(new Headers(init?.headers).get('content-type')).toBe('application/json')
    expect(JSON.parse(String(init?.body))).toEqual({
      values: {
        email: 'ana@example.com',
        firstName: 'Ana',
        colour: 'red',
        topics: ['deals'],
        consent: true,
        marketing: false,
        source: 'footer',
      },
      // Where it happened, never personal data: the page without its query, the form's language.
      context: { page: `${location.origin}${location.pathname}`, locale: 'en' },
    })
  })

  it('marks the button aria-disabled while in flight, keeps focus on it, and sends one request for a double click', async () => {
    const answer = deferred<Response>()
    const fetchMock = await setup({ submit: () => answer.promise })
    fillValid()
    const button = screen.getByRole('button', { name: 'Sign up' }) as HTMLButtonElement
    button.focus()
    fireEvent.click(button)
    fireEvent.click(button)
    // false: the handler cancelled the browser's own submission, which would leave the page.
    expect(fireEvent.submit(button.form as HTMLFormElement)).toBe(false)
    await waitFor(() => expect(button.getAttribute('aria-disabled')).toBe('true'))
    // Not `disabled`: a disabled button drops keyboard focus to the page's body.
    expect(button.disabled).toBe(false)
    expect(document.activeElement).toBe(button)
    expect(button.textContent).toBe('Sending…')
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(1)

    answer.resolve(json({ status: 'enrolled' }))
    await screen.findByText('Thanks for signing up!')
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(1)
  })

  it('enrolled: shows the success text in role=status and removes the form', async () => {
    await setup({ submit: json({ status: 'enrolled' }) })
    fillValid()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for signing up!'))
    expect(document.querySelector('form')).toBeNull()
    expect(screen.getByRole('alert').textContent).toBe('')
    // The form is gone: focus goes to the heading that replaced it, not onto the live region.
    const heading = screen.getByRole('heading', { name: "You're on the list!" })
    expect(document.activeElement).toBe(heading)
    expect(heading.getAttribute('tabindex')).toBe('-1')
    expect(heading.nextElementSibling).toBe(screen.getByRole('status'))
    // The reserved height lets go of the card (styles/widget.css: .box:has(.done)).
    expect(heading.parentElement?.classList.contains('done')).toBe(true)
    expect(heading.hasAttribute('aria-live')).toBe(false)
  })

  it('enrolled: shows the form’s afterSubmit message instead', async () => {
    await setup(
      { submit: json({ status: 'enrolled' }) },
      { ...form, afterSubmit: { type: 'message', value: 'Check your inbox!' } },
    )
    fillValid()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Check your inbox!'))
  })

  it('enrolled: follows an http(s) afterSubmit redirect', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined)
    await setup(
      { submit: json({ status: 'enrolled' }) },
      { ...form, afterSubmit: { type: 'redirect', value: 'https://shop.test/thanks?x=1' } },
    )
    fillValid()
    submit()
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://shop.test/thanks?x=1'))
  })

  it('enrolled: never follows a javascript: redirect', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined)
    await setup(
      { submit: json({ status: 'enrolled' }) },
      { ...form, afterSubmit: { type: 'redirect', value: 'javascript:alert(1)' } },
    )
    fillValid()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for signing up!'))
    expect(assign).not.toHaveBeenCalled()
  })

  it('already_enrolled: a friendly status, no redirect', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined)
    await setup(
      { submit: json({ status: 'already_enrolled' }) },
      { ...form, afterSubmit: { type: 'redirect', value: 'https://shop.test/thanks' } },
    )
    fillValid()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe("You're already signed up — thanks!"))
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Welcome back!' }))
    expect(assign).not.toHaveBeenCalled()
  })

  it('queued (202): thanked just as for enrolled (the default texts are the same)', async () => {
    await setup({ submit: json({ status: 'queued' }, 202) })
    fillValid()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for signing up!'))
    expect(document.querySelector('form')).toBeNull()
  })

  it('422: shows the server’s messages on their fields and an alert summary', async () => {
    await setup({
      submit: errorBody(422, 'invalid_values', {
        email: ['This address bounced before.'],
        source: ['Unknown source.'],
      }),
    })
    fillValid()
    submit()
    const email = screen.getByRole('textbox', { name: 'Email' })
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'))
    const describedBy = email.getAttribute('aria-describedby') ?? ''
    expect(document.getElementById(describedBy)?.textContent).toBe('This address bounced before.')
    // A hidden field has no place to show its message, so it joins the summary.
    expect(screen.getByRole('alert').textContent).toBe('Please check the highlighted fields. Unknown source.')
    expect(screen.getByRole('status').textContent).toBe('')
    await waitFor(() => expect(document.activeElement).toBe(email))
  })

  it('422: keeps the server’s message until the value changes', async () => {
    await setup({ submit: errorBody(422, 'invalid_values', { email: ['This address bounced before.'] }) })
    fillValid()
    submit()
    const email = screen.getByRole('textbox', { name: 'Email' })
    await screen.findByText('This address bounced before.')
    fireEvent.blur(email)
    await settle()
    expect(screen.getByText('This address bounced before.')).toBeTruthy()
    fireEvent.change(email, { target: { value: 'other@example.com' } })
    await waitFor(() => expect(screen.queryByText('This address bounced before.')).toBeNull())
  })

  it('429: asks to try again in a moment, in role=alert', async () => {
    await setup({ submit: errorBody(429, 'rate_limited') })
    fillValid()
    submit()
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        "That didn't workToo many attempts, please try again in a moment.",
      ),
    )
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it.each([
    ['a 500', () => errorBody(500, 'internal')],
    ['a 403', () => errorBody(403, 'origin_not_allowed')],
    ['a non-JSON 502', () => new Response('<html>Bad gateway</html>', { status: 502 })],
  ])('%s: a calm alert, and the form keeps what was typed', async (_, answer) => {
    await setup({ submit: answer })
    fillValid()
    submit()
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        "That didn't workSomething went wrong on our side. Please try again later.",
      ),
    )
    expect((screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement).value).toBe('ana@example.com')
    expect((screen.getByRole('textbox', { name: 'First name' }) as HTMLInputElement).value).toBe('  Ana ')
    expect((screen.getByRole('checkbox', { name: 'I agree to emails' }) as HTMLInputElement).checked).toBe(true)
    expect(screen.getByRole('button', { name: 'Sign up' }).getAttribute('aria-disabled')).toBe('false')
    // Focus goes to the alert, so a keyboard or screen reader user learns what happened there.
    expect(document.activeElement).toBe(screen.getByRole('alert'))
    expect(screen.getByRole('alert').getAttribute('tabindex')).toBe('-1')
  })

  it('422 with messages only for hidden fields: focus goes to the alert', async () => {
    await setup({ submit: errorBody(422, 'invalid_values', { source: ['Unknown source.'] }) })
    fillValid()
    submit()
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Please check the highlighted fields. Unknown source.'),
    )
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('alert')))
  })

  it('the submission chunk does not load: the same calm alert, nothing sent, and the next press tries again', async () => {
    const load = lazy.loadChunk
    const chunkFails = vi
      .spyOn(lazy, 'loadChunk')
      .mockImplementation((name, endpoint) =>
        name === 'submit' ? Promise.reject(new TypeError('Failed to fetch')) : load(name, endpoint),
      )
    const fetchMock = await setup()
    fillValid()
    submit()
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        "That didn't workSomething went wrong on our side. Please try again later.",
      ),
    )
    expect(document.activeElement).toBe(screen.getByRole('alert'))
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(0)
    chunkFails.mockRestore()
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for signing up!'))
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(1)
  })

  it('network failure: the same calm alert, and a retry can succeed', async () => {
    let fail = true
    const fetchMock = await setup({
      submit: () => {
        if (fail) {
          return Promise.reject(new TypeError('Failed to fetch'))
        }
        return json({ status: 'enrolled' })
      },
    })
    fillValid()
    submit()
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        "That didn't workSomething went wrong on our side. Please try again later.",
      ),
    )
    expect((screen.getByRole('textbox', { name: 'First name' }) as HTMLInputElement).value).toBe('  Ana ')
    fail = false
    submit()
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for signing up!'))
    expect(screen.getByRole('alert').textContent).toBe('')
    expect(callsTo(fetchMock, '/submissions')).toHaveLength(2)
  })
})
