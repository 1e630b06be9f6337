import { fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../../widget/form/app'
import { callsTo, ENDPOINT, PAGE, simpleForm, stubFetch, stubIntersectionObserver } from './support'

const form = simpleForm({
  fields: [{ name: 'email', type: 'email', label: 'Email', required: true }],
  honeypot: 'website',
  token: 'signed-token',
})

async function setup(definition = form): Promise<ReturnType<typeof stubFetch>> {
  const fetchMock = stubFetch({ form: definition })
  render(<App page={PAGE} endpoint={ENDPOINT} formId="welcome" />)
  await screen.findByRole('button', { name: 'Sign up' })
  return fetchMock
}

async function submittedBody(fetchMock: ReturnType<typeof stubFetch>): Promise<Record<string, unknown>> {
  fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'ana@example.com' } })
  fireEvent.click(screen.getByRole('button', { name: 'Sign up' }))
  await waitFor(() => expect(callsTo(fetchMock, '/submissions')).toHaveLength(1))
  return JSON.parse(String(callsTo(fetchMock, '/submissions')[0]?.[1]?.body)) as Record<string, unknown>
}

describe('bot defense in the widget', () => {
  beforeEach(() => {
    stubIntersectionObserver()
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('draws the honeypot out of sight, out of the Tab order and hidden from assistive technology', async () => {
    await setup()
    const input = document.querySelector<HTMLInputElement>('input[name="website"]')
    expect(input).not.toBeNull()
    expect(input?.tabIndex).toBe(-1)
    expect(input?.getAttribute('autocomplete')).toBe('off')
    expect(input?.getAttribute('aria-hidden')).toBe('true')
    expect(input?.parentElement?.className).toBe('hp')
    expect(input?.parentElement?.getAttribute('aria-hidden')).toBe('true')
    // Not announced: no textbox by any name besides the real field.
    expect(screen.getAllByRole('textbox').map((box) => box.getAttribute('name'))).toEqual(['email'])
  })

  it('sends the token and the empty honeypot beside the values, never inside them', async () => {
    const fetchMock = await setup()
    const body = await submittedBody(fetchMock)
    expect(body.token).toBe('signed-token')
    expect(body.honeypot).toBe('')
    expect(body.values).toEqual({ email: 'ana@example.com' })
  })

  it('sends what a bot typed into the honeypot', async () => {
    const fetchMock = await setup()
    const input = document.querySelector<HTMLInputElement>('input[name="website"]')
    fireEvent.input(input as HTMLInputElement, { target: { value: 'http://spam.test' } })
    const body = await submittedBody(fetchMock)
    expect(body.honeypot).toBe('http://spam.test')
    expect(body.values).toEqual({ email: 'ana@example.com' })
  })

  it('without bot defense in the definition: no honeypot input, no token or honeypot in the body', async () => {
    const fetchMock = await setup(simpleForm({ fields: [{ name: 'email', type: 'email', label: 'Email' }] }))
    expect(document.querySelector('.hp')).toBeNull()
    const body = await submittedBody(fetchMock)
    expect(Object.keys(body).sort()).toEqual(['context', 'values'])
  })
})
