import { afterEach, describe, expect, it } from 'vitest'
import { formTexts, localiseForm, resolveLocale } from '../../proxy/forms/localise'
import { LOCALES, localeTexts } from '../../contract/locales'
import { EN } from '../../contract/texts'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

let proxy: TestProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const FLOW = { api: 'moments', campaignId: '200000000000001' }

async function sandbox(config?: unknown): Promise<TestProxy> {
  proxy = await createTestProxy(config === undefined ? {} : { config })
  return proxy
}

interface Definition {
  fields: { name: string; label?: string; placeholder?: string }[]
  texts: Record<string, string>
  locale: string
  submitLabel?: string
  afterSubmit?: { type: string; value: string }
}

async function definition(p: TestProxy, path: string): Promise<Definition> {
  const res = await p.request(path)
  expect(res.status).toBe(200)
  return (await res.json()) as Definition
}

const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort()

describe('built-in languages', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-AT', 'de'],
    ['DE', 'de'],
    ['pt-BR', 'pt-BR'],
    ['pt-br', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['es-419', 'es'],
    ['fr-CA', 'fr'],
    ['hr', 'hr'],
    ['it', 'en'],
    ['<script>', 'en'],
  ])('resolves %j to %s', (requested, locale) => {
    expect(resolveLocale(requested)).toBe(locale)
  })

  it('has every text in every language, with the same {placeholders} as English, none left in English', () => {
    expect(LOCALES).toEqual(['en', 'de', 'fr', 'es', 'pt-BR', 'hr'])
    const english = localeTexts('en')
    expect(Object.keys(english).sort()).toEqual([...Object.keys(EN), 'error.unknown'].sort())
    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      const texts = localeTexts(locale)
      expect(Object.keys(texts).sort()).toEqual(Object.keys(english).sort())
      for (const [key, text] of Object.entries(texts)) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('')
        expect(placeholders(text), `${locale} ${key}`).toEqual(placeholders(english[key] ?? ''))
        expect(text, `${locale} ${key} is still English`).not.toBe(english[key])
      }
    }
  })
})

describe('GET /v1/forms/:id?locale=', () => {
  it('answers English texts and locale "en" without a locale', async () => {
    const body = await definition(await sandbox(), '/v1/forms/welcome')
    expect(body.locale).toBe('en')
    expect(body.texts.submit).toBe('Sign up')
    expect(body.texts['error.required']).toBe('Please fill in this field.')
    // The proxy-only message is not sent to the widget.
    expect(body.texts['error.unknown']).toBeUndefined()
  })

  it('answers the texts of the best language, merged with the config’s overrides for it', async () => {
    const p = await sandbox()
    const german = await definition(p, '/v1/forms/welcome?locale=de-AT')
    expect(german.locale).toBe('de')
    expect(german.texts['error.email']).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein.')
    expect(german.texts['load.failed']).toBe('Das Formular konnte nicht geladen werden.')
    expect(german.texts.close).toBe('Schließen')
    // The demo config's "de" block: labels and the button.
    expect(german.fields.map((f) => f.label)).toEqual(['E-Mail', 'Vorname', 'Ich möchte E-Mails erhalten'])
    expect(german.fields[0]?.placeholder).toBe('sie@beispiel.de')
    expect(german.submitLabel).toBe('Anmelden')

    const french = await definition(p, '/v1/forms/welcome?locale=fr')
    expect(french.locale).toBe('fr')
    expect(french.texts['status.enrolled']).toBe('Merci pour votre inscription\u00a0!')
    // No "fr" block in the config: its single-language labels and button stay.
    expect(french.fields.map((f) => f.label)).toEqual(['Email', 'First name', 'I agree to receive emails'])
    expect(french.submitLabel).toBe('Sign up')

    const unknown = await definition(p, '/v1/forms/welcome?locale=zz')
    expect(unknown.locale).toBe('en')
  })

  it('applies flat overrides to every language and a language block over them', async () => {
    const p = await sandbox({
      forms: [
        {
          id: 'club',
          allowedOrigins: [SHOP],
          flow: FLOW,
          fields: [{ name: 'email', type: 'email', label: 'Email', required: true }],
          texts: {
            submit: 'Join',
            'alert.failed': 'Oops.',
            de: { submit: 'Beitreten', 'field.email.label': 'Ihre E-Mail' },
            hr: { 'alert.failed': 'Ups.' },
          },
        },
      ],
    })
    const english = await definition(p, '/v1/forms/club')
    expect([english.texts.submit, english.texts['alert.failed'], english.fields[0]?.label]).toEqual([
      'Join',
      'Oops.',
      'Email',
    ])
    const german = await definition(p, '/v1/forms/club?locale=de')
    expect([german.texts.submit, german.texts['alert.failed'], german.fields[0]?.label]).toEqual([
      'Beitreten',
      'Oops.',
      'Ihre E-Mail',
    ])
    expect(german.submitLabel).toBe('Beitreten')
    const croatian = await definition(p, '/v1/forms/club?locale=hr')
    expect([croatian.texts.submit, croatian.texts['alert.failed']]).toEqual(['Join', 'Ups.'])
    expect(croatian.texts['error.required']).toBe('Ispunite ovo polje.')
  })

  it('translates an Infobip form’s labels, button and message through the config', async () => {
    const p = await sandbox({
      forms: [
        {
          id: 'newsletter',
          allowedOrigins: [SHOP],
          infobipFormId: 'f7cf1606-e155-40eb-9721-78183d268d24',
          texts: {
            es: { 'field.email.label': 'Correo electrónico', submit: 'Suscribirme', 'status.enrolled': '¡Gracias!' },
          },
        },
      ],
    })
    const spanish = await definition(p, '/v1/forms/newsletter?locale=es')
    expect(spanish.fields.find((f) => f.name === 'email')?.label).toBe('Correo electrónico')
    expect(spanish.submitLabel).toBe('Suscribirme')
    expect(spanish.afterSubmit).toEqual({ type: 'message', value: '¡Gracias!' })
    const english = await definition(p, '/v1/forms/newsletter')
    expect(english.submitLabel).toBe('Subscribe')
    expect(english.afterSubmit).toEqual({ type: 'message', value: 'Thanks for subscribing!' })
  })

  it('keeps the definition free of upstream ids in every language', async () => {
    const p = await sandbox()
    for (const locale of LOCALES) {
      const res = await p.request(`/v1/forms/newsletter?locale=${locale}`)
      const text = await res.text()
      expect(text).not.toContain('f7cf1606')
      expect(text).not.toContain('200000000000001')
    }
  })
})

describe('localised 422 messages', () => {
  it('answers in the language of context.locale, in the widget’s wording', async () => {
    const p = await sandbox()
    const send = (locale?: string) =>
      p.submit(
        'welcome',
        { email: 'not-an-email', consent: false, colour: 'red' },
        locale ? { context: { locale } } : {},
      )
    const cases: Array<[string | undefined, Record<string, string[]>]> = [
      [
        undefined,
        {
          email: ['Please enter a valid email address.'],
          consent: ['Please tick this box to continue.'],
          colour: ['This field is not part of the form.'],
        },
      ],
      [
        'de-DE',
        {
          email: ['Bitte geben Sie eine gültige E-Mail-Adresse ein.'],
          consent: ['Bitte kreuzen Sie dieses Kästchen an, um fortzufahren.'],
          colour: ['Dieses Feld gehört nicht zum Formular.'],
        },
      ],
      [
        'fr',
        {
          email: ['Veuillez saisir une adresse e-mail valide.'],
          consent: ['Veuillez cocher cette case pour continuer.'],
          colour: ['Ce champ ne fait pas partie du formulaire.'],
        },
      ],
      [
        'es',
        {
          email: ['Introduce una dirección de correo electrónico válida.'],
          consent: ['Marca esta casilla para continuar.'],
          colour: ['Este campo no forma parte del formulario.'],
        },
      ],
      [
        'pt-BR',
        {
          email: ['Informe um endereço de e-mail válido.'],
          consent: ['Marque esta caixa para continuar.'],
          colour: ['Este campo não faz parte do formulário.'],
        },
      ],
      [
        'hr',
        {
          email: ['Unesite valjanu adresu e-pošte.'],
          consent: ['Označite ovaj okvir kako biste nastavili.'],
          colour: ['Ovo polje nije dio obrasca.'],
        },
      ],
    ]
    for (const [locale, fields] of cases) {
      const res = await send(locale)
      expect(res.status).toBe(422)
      expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual(fields)
    }
    expect(p.fake?.requestCount).toBe(0)
  })

  it('fills placeholders and honours the config’s per-language and per-field messages', async () => {
    const p = await sandbox({
      forms: [
        {
          id: 'club',
          allowedOrigins: [SHOP],
          flow: FLOW,
          fields: [
            { name: 'email', type: 'email', label: 'Email', required: true },
            { name: 'nick', type: 'text', label: 'Nick', maxLength: 5 },
            { name: 'age', type: 'number', label: 'Age', min: 18, messages: { min: 'Adults only.' } },
          ],
          texts: { de: { 'error.required': 'Wir brauchen Ihre E-Mail.' } },
        },
      ],
    })
    const res = await p.submit('club', { email: '', nick: 'toolong', age: '12' }, { context: { locale: 'de' } })
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({
      email: ['Wir brauchen Ihre E-Mail.'],
      nick: ['Bitte verwenden Sie höchstens 5 Zeichen.'],
      age: ['Adults only.'],
    })
  })

  it('refuses a context.locale that is not a short string, like any malformed body', async () => {
    const p = await sandbox()
    const res = await p.submit(
      'welcome',
      { email: 'a@example.com', consent: true },
      { context: { locale: 'x'.repeat(100) } },
    )
    expect(res.status).toBe(400)
  })
})

describe('formTexts and localiseForm', () => {
  it('ignore field texts in the texts map and leave the stored definition untouched', () => {
    const texts = formTexts({ 'field.email.label': 'Mail', de: { 'field.email.label': 'E-Mail', submit: 'Los' } }, 'de')
    expect(texts['field.email.label']).toBeUndefined()
    expect(texts.submit).toBe('Los')
    const stored = { id: 'x', fields: [{ name: 'email', type: 'email' as const, label: 'Email' }] }
    const german = localiseForm(stored, { de: { 'field.email.label': 'E-Mail' } }, 'de')
    expect(german.fields[0]?.label).toBe('E-Mail')
    expect(stored.fields[0]?.label).toBe('Email')
  })
})
