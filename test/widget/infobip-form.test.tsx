import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FormConfig } from '../../proxy/config/schema'
import { formFromInfobip } from '../../proxy/forms/from-infobip'
import { localiseForm } from '../../proxy/forms/localise'
import type { Logger } from '../../proxy/common/log'
import { defaultForms, NAME_FORBIDDEN_SYMBOLS, SANDBOX_SEED } from '../../fakes/infobip/seed'
import { valuesSchema } from '../../proxy/signup/schema'
import { InfobipForm } from '../../proxy/upstreams/infobip/types'
import type { PublicForm } from '../../contract/definition'
import { App } from '../../widget/form/app'
import { PAGE } from './support'
import { callsTo, ENDPOINT, json, stubFetch, stubIntersectionObserver } from './support'

/**
 * The sandbox's seeded Infobip form ("Company Newsletter", demo form id `newsletter`), mapped by the
 * proxy exactly as it answers GET /v1/forms/newsletter, drawn by the widget: every element type.
 */

const warnings: unknown[] = []
const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger

function seededDefinition(texts?: unknown): PublicForm {
  const upstream = defaultForms().find((f) => f.id === SANDBOX_SEED.activeFormId)
  if (!upstream) {
    throw new Error('the seeded form is missing')
  }
  const config = FormConfig.parse({
    id: 'newsletter',
    allowedOrigins: ['https://shop.example.com'],
    infobipFormId: SANDBOX_SEED.activeFormId,
    ...(texts ? { texts } : {}),
  })
  // Parsed as the Infobip client parses every answer.
  const { definition } = formFromInfobip(config, InfobipForm.parse(upstream), log)
  return localiseForm(definition, config.texts)
}

async function renderSeeded(definition = seededDefinition()) {
  const fetchMock = stubFetch({ form: definition, submit: json({ status: 'enrolled' }) })
  stubIntersectionObserver()
  const { container } = render(<App page={PAGE} endpoint={ENDPOINT} formId="newsletter" />)
  await screen.findByRole('button', { name: 'Subscribe' })
  return { fetchMock, form: container.querySelector('form') as HTMLFormElement }
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('the seeded Infobip form, mapped by the proxy and drawn by the widget', () => {
  it('maps every element without warnings', () => {
    const definition = seededDefinition()
    expect(warnings).toEqual([])
    expect(definition.fields.map((f) => [f.name, f.type])).toEqual([
      ['title-0', 'title'],
      ['description-1', 'description'],
      ['first_name', 'text'],
      ['last_name', 'text'],
      ['email', 'email'],
      ['phone', 'tel'],
      ['company_size', 'select'],
      ['interests', 'checkboxes'],
      ['frequency', 'radio'],
      ['birth_date', 'date'],
      ['consent', 'checkbox'],
      ['offer_id', 'hidden'],
    ])
    expect(definition.submitLabel).toBe('Subscribe')
    expect(definition.afterSubmit).toEqual({ type: 'message', value: 'Thanks for subscribing!' })
    expect(definition.locale).toBe('en')
  })

  it('draws title, description and every input with its label, placeholder and rules', async () => {
    const { form } = await renderSeeded()
    expect(screen.getByRole('heading', { level: 2, name: 'Subscribe to our newsletter' })).toBeTruthy()
    expect(screen.getByText('Product news, events and offers, about twice a month.').tagName).toBe('P')

    const first = screen.getByRole('textbox', { name: 'First name' }) as HTMLInputElement
    expect([first.name, first.placeholder, first.getAttribute('maxlength'), first.required]).toEqual([
      'first_name',
      'James',
      '255',
      false,
    ])
    expect((screen.getByRole('textbox', { name: 'Last name' }) as HTMLInputElement).name).toBe('last_name')
    const email = screen.getByRole('textbox', { name: /^Email/ }) as HTMLInputElement
    expect([email.type, email.name, email.required, email.placeholder]).toEqual([
      'email',
      'email',
      true,
      'name@example.com',
    ])
    // Infobip's long RFC 5322 pattern is left to our own email rule.
    expect(email.hasAttribute('pattern')).toBe(false)
    const phone = screen.getByRole('textbox', { name: 'Phone' }) as HTMLInputElement
    expect([phone.type, phone.name, phone.placeholder]).toEqual(['tel', 'phone', '41793026727'])

    const size = screen.getByRole('combobox', { name: 'Company size' }) as HTMLSelectElement
    expect([...size.options].map((o) => o.value)).toEqual(['', '1-10', '11-50', '51-200', '201+'])
    expect(size.options[4]?.textContent).toBe('More than 200')

    const interests = screen.getByRole('group', { name: 'Interests' })
    expect(
      within(interests)
        .getAllByRole('checkbox')
        .map((b) => (b as HTMLInputElement).value),
    ).toEqual(['product_news', 'events', 'offers'])
    const frequency = screen.getByRole('group', { name: 'How often?' })
    expect(
      within(frequency)
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value),
    ).toEqual(['weekly', 'monthly'])
    expect((screen.getByLabelText('Birthday') as HTMLInputElement).type).toBe('date')

    // Both of Infobip's texts: the label as the question, checkboxText beside the box.
    const consentGroup = screen.getByRole('group', { name: 'Consent' })
    const consent = within(consentGroup).getByRole('checkbox', {
      name: /I agree to receive emails/,
    }) as HTMLInputElement
    expect([consent.name, consent.required]).toEqual(['consent', true])

    const offer = form.querySelector('input[name="offer_id"]') as HTMLInputElement
    expect(offer.type).toBe('hidden')
  })

  it('checks Infobip’s forbidden symbols, naming them without line breaks', async () => {
    await renderSeeded()
    const first = screen.getByRole('textbox', { name: 'First name' })
    fireEvent.input(first, { target: { value: 'Ana <script>' } })
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }))
    const message = await screen.findByText(/^Please remove these characters:/)
    expect(message.textContent).not.toMatch(/[\n\r]/)
    expect(message.textContent).toContain('<')
    expect(NAME_FORBIDDEN_SYMBOLS).toContain('\n')
  })

  it('submits values keyed by fieldId that the proxy accepts, then shows the form’s own message', async () => {
    const definition = seededDefinition()
    const { fetchMock } = await renderSeeded(definition)
    fireEvent.input(screen.getByRole('textbox', { name: 'First name' }), { target: { value: 'Ana' } })
    fireEvent.input(screen.getByRole('textbox', { name: /^Email/ }), { target: { value: 'ana@example.com' } })
    fireEvent.change(screen.getByRole('combobox', { name: 'Company size' }), { target: { value: '11-50' } })
    fireEvent.click(screen.getByRole('checkbox', { name: 'Events' }))
    fireEvent.click(screen.getByRole('radio', { name: 'Monthly' }))
    fireEvent.click(screen.getByRole('checkbox', { name: /I agree to receive emails/ }))
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }))
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Thanks for subscribing!'))
    const body = JSON.parse(String(callsTo(fetchMock, '/submissions')[0]?.[1]?.body)) as {
      values: Record<string, unknown>
    }
    expect(body.values).toEqual({
      first_name: 'Ana',
      last_name: '',
      email: 'ana@example.com',
      phone: '',
      company_size: '11-50',
      interests: ['events'],
      frequency: 'monthly',
      birth_date: '',
      consent: true,
      offer_id: '',
    })
    expect(valuesSchema(definition.fields).safeParse(body.values).success).toBe(true)
  })

  it('takes translated labels and button from the config’s texts for the language', async () => {
    const upstream = InfobipForm.parse(defaultForms()[0])
    const config = FormConfig.parse({
      id: 'newsletter',
      allowedOrigins: ['https://shop.example.com'],
      infobipFormId: SANDBOX_SEED.activeFormId,
      texts: { de: { 'field.first_name.label': 'Vorname', submit: 'Abonnieren', 'status.enrolled': 'Danke!' } },
    })
    const german = localiseForm(formFromInfobip(config, upstream, log).definition, config.texts, 'de-DE')
    stubFetch({ form: german })
    stubIntersectionObserver()
    render(<App page={PAGE} endpoint={ENDPOINT} formId="newsletter" />)
    expect(await screen.findByRole('button', { name: 'Abonnieren' })).toBeTruthy()
    expect(screen.getByRole('textbox', { name: 'Vorname' })).toBeTruthy()
    expect(german.afterSubmit).toEqual({ type: 'message', value: 'Danke!' })
    expect(german.texts?.['error.required']).toBe('Bitte füllen Sie dieses Feld aus.')
  })
})
