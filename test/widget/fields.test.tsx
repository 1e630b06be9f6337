import { render, screen } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PublicForm } from '../../contract/definition'
import { App } from '../../widget/form/app'
import { PAGE } from './support'
import { ENDPOINT, stubFetch, stubIntersectionObserver } from './support'

const colours = [
  { label: 'Red', value: 'red' },
  { label: 'Blue', value: 'blue' },
]

const everyType: PublicForm = {
  id: 'every',
  fields: [
    { name: 'heading', type: 'title', text: 'Join the club' },
    { name: 'intro', type: 'description', text: 'Ten percent off your first order.' },
    { name: 'email', type: 'email', label: 'Email', required: true, maxLength: 120 },
    { name: 'phone', type: 'tel', label: 'Phone', placeholder: '+44 20 7946 0958' },
    { name: 'firstName', type: 'text', label: 'First name', pattern: '[A-Za-z ]+' },
    { name: 'note', type: 'textarea', label: 'Note', maxLength: 300 },
    { name: 'age', type: 'number', label: 'Age', min: '18', max: '120' },
    { name: 'birthDate', type: 'date', label: 'Birthday', min: '1900-01-01' },
    { name: 'callAt', type: 'datetime', label: 'Call me at' },
    { name: 'size', type: 'select', label: 'Size', options: [{ label: 'Small', value: 's' }], required: true },
    { name: 'colour', type: 'radio', label: 'Colour', options: colours, required: true },
    { name: 'consent', type: 'checkbox', label: 'Consent', checkboxText: 'I agree to emails', required: true },
    { name: 'terms', type: 'checkbox', label: 'I accept the terms' },
    { name: 'topics', type: 'checkboxes', label: 'Topics', options: colours, required: true },
    { name: 'source', type: 'hidden', value: 'footer' },
  ],
}

async function renderForm(form: PublicForm = everyType): Promise<HTMLFormElement> {
  stubFetch({ form })
  stubIntersectionObserver()
  const { container } = render(<App page={PAGE} endpoint={ENDPOINT} formId={form.id} />)
  await screen.findByRole('button')
  return container.querySelector('form') as HTMLFormElement
}

function byName(form: HTMLFormElement, name: string): HTMLInputElement {
  return form.querySelector(`[name="${name}"]`) as HTMLInputElement
}

describe('field rendering', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('renders text inputs with their type, name, label and native attributes', async () => {
    const form = await renderForm()
    const email = screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement
    expect(email.type).toBe('email')
    expect(email.name).toBe('email')
    expect(email.required).toBe(true)
    expect(email.getAttribute('maxlength')).toBe('120')
    expect(email.getAttribute('autocomplete')).toBe('email')

    const phone = screen.getByRole('textbox', { name: 'Phone' }) as HTMLInputElement
    expect([phone.type, phone.name, phone.placeholder]).toEqual(['tel', 'phone', '+44 20 7946 0958'])
    expect(phone.required).toBe(false)

    const first = screen.getByRole('textbox', { name: 'First name' }) as HTMLInputElement
    expect([first.type, first.name, first.getAttribute('pattern')]).toEqual(['text', 'firstName', '[A-Za-z ]+'])
    expect(first.getAttribute('autocomplete')).toBe('given-name')

    const note = screen.getByRole('textbox', { name: 'Note' })
    expect(note.tagName).toBe('TEXTAREA')
    expect(byName(form, 'note')).toBe(note)
  })

  it('renders number, date and datetime inputs with min and max', async () => {
    const form = await renderForm()
    const age = screen.getByLabelText('Age') as HTMLInputElement
    expect([age.type, age.name, age.min, age.max]).toEqual(['number', 'age', '18', '120'])
    const birthday = screen.getByLabelText('Birthday') as HTMLInputElement
    expect([birthday.type, birthday.name, birthday.min]).toEqual(['date', 'birthDate', '1900-01-01'])
    const callAt = screen.getByLabelText('Call me at') as HTMLInputElement
    expect([callAt.type, callAt.name]).toEqual(['datetime-local', 'callAt'])
    expect(byName(form, 'callAt')).toBe(callAt)
  })

  it('renders a select with an empty first choice', async () => {
    await renderForm()
    const size = screen.getByRole('combobox', { name: 'Size' }) as HTMLSelectElement
    expect(size.name).toBe('size')
    expect(size.required).toBe(true)
    expect([...size.options].map((o) => [o.value, o.textContent])).toEqual([
      ['', 'Choose…'],
      ['s', 'Small'],
    ])
  })

  it('renders radios in a fieldset named by its legend', async () => {
    await renderForm()
    const group = screen.getByRole('group', { name: 'Colour' })
    expect(group.tagName).toBe('FIELDSET')
    const red = screen.getByRole('radio', { name: 'Red' }) as HTMLInputElement
    expect([red.name, red.value, red.required]).toEqual(['colour', 'red', true])
    expect(group.contains(red)).toBe(true)
  })

  it('renders a single checkbox labelled by checkboxText, else by label', async () => {
    await renderForm()
    const consent = screen.getByRole('checkbox', { name: 'I agree to emails' }) as HTMLInputElement
    expect([consent.name, consent.required]).toEqual(['consent', true])
    expect(screen.getByRole('checkbox', { name: 'I accept the terms' })).toHaveProperty('name', 'terms')
  })

  it('renders a checkbox group whose boxes share the field name', async () => {
    await renderForm()
    const group = screen.getByRole('group', { name: /Topics/ })
    const boxes = [...group.querySelectorAll('input')]
    expect(boxes.map((b) => [b.type, b.name, b.value])).toEqual([
      ['checkbox', 'topics', 'red'],
      ['checkbox', 'topics', 'blue'],
    ])
    // A group cannot carry `required`, so the legend says it in words.
    expect(group.querySelector('legend')?.textContent).toContain('(required)')
  })

  it('renders a hidden input carrying its fixed value', async () => {
    const form = await renderForm()
    const source = byName(form, 'source')
    expect([source.type, source.value]).toEqual(['hidden', 'footer'])
  })

  it('renders title and description as text', async () => {
    await renderForm()
    expect(screen.getByRole('heading', { level: 2, name: 'Join the club' })).toBeTruthy()
    expect(screen.getByText('Ten percent off your first order.').tagName).toBe('P')
  })

  it('gives every visible input an id, a name and a <label for> that names it', async () => {
    const form = await renderForm()
    const inputs = [...form.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea')]
    expect(inputs).toHaveLength(14)
    const ids = new Set<string>()
    for (const input of inputs) {
      expect(input.name).not.toBe('')
      expect(input.id).not.toBe('')
      ids.add(input.id)
      const label = form.querySelector(`label[for="${input.id}"]`)
      expect(label?.textContent?.trim()).not.toBe('')
    }
    expect(ids.size).toBe(inputs.length)
  })

  it('marks required fields visibly and natively', async () => {
    await renderForm()
    const label = screen.getByText('Email').closest('label')
    expect(label?.querySelector('[aria-hidden="true"]')?.textContent).toContain('*')
    expect(screen.getByText('Phone').closest('label')?.querySelector('[aria-hidden="true"]')).toBeNull()
  })

  it('puts a novalidate form and a submit button with the configured label', async () => {
    const form = await renderForm({ ...everyType, submitLabel: 'Get 10% off' })
    expect(form.noValidate).toBe(true)
    const button = screen.getByRole('button', { name: 'Get 10% off' }) as HTMLButtonElement
    expect(button.type).toBe('submit')
  })

  it('skips an unknown field type with a prefixed warning and keeps the rest', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const form = await renderForm({
      id: 'odd',
      fields: [
        { name: 'signature', type: 'drawing' as never, label: 'Sign here', required: true },
        { name: 'email', type: 'email', label: 'Email' },
      ],
    })
    expect(form.querySelector('[name="signature"]')).toBeNull()
    expect(screen.getByRole('textbox', { name: 'Email' })).toBeTruthy()
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[flowform\] .*signature.*drawing/))
  })

  it('uses override texts from the definition', async () => {
    await renderForm({
      id: 'texts',
      fields: [{ name: 'size', type: 'select', label: 'Size', options: [] }],
      texts: { submit: 'Join', 'select.placeholder': 'Pick one' },
    })
    expect(screen.getByRole('button', { name: 'Join' })).toBeTruthy()
    expect(screen.getByRole('option', { name: 'Pick one' })).toBeTruthy()
  })
})
