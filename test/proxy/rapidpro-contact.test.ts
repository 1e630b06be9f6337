import { describe, expect, it } from 'vitest'
import { FormConfig, RapidproConfig } from '../../proxy/config/schema'
import { contactFieldsOf, toIso6393, toRapidproContact } from '../../proxy/upstreams/rapidpro/contact'
import { redact } from '../../proxy/delivery/targets/rapidpro'
import { fieldKeyFor, fieldNameFor } from '../../proxy/upstreams/rapidpro/keys'

const identity = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, k]))

describe('submission → RapidPro contact', () => {
  it('maps email and phone to URNs, mailto first, and looks the contact up by mailto', () => {
    const plan = toRapidproContact(
      { email: '  Ana@Example.COM ', phone: '+385 (91) 123-4567' },
      identity('email', 'phone'),
      { groups: ['Newsletter'] },
    )
    expect(plan.urns).toEqual(['mailto:ana@example.com', 'tel:+385911234567'])
    expect(plan.urn).toBe('mailto:ana@example.com')
    expect(plan.groups).toEqual(['Newsletter'])
    expect(plan.emailField).toBe('email')
    expect(plan.phoneField).toBe('phone')
    // Never urns (not allowed with ?urn=) and never groups (they would replace the contact's groups).
    expect(plan.body).toEqual({})
  })

  it('looks the contact up by tel when there is no email, and reads 00 as +', () => {
    const plan = toRapidproContact({ phone: '00385 91 123 4567' }, identity('phone'), {})
    expect(plan.urn).toBe('tel:+385911234567')
    expect(plan.urns).toEqual(['tel:+385911234567'])
  })

  it('adds whatsapp and ext URNs only when the config asks for them', () => {
    const values = { email: 'a@example.com', phone: '+385911234567', externalId: 'cust-42' }
    const fields = identity('email', 'phone', 'externalId')
    expect(toRapidproContact(values, fields, {}).urns).toEqual(['mailto:a@example.com', 'tel:+385911234567'])
    expect(toRapidproContact(values, fields, {}).body.fields).toEqual({ external_id: 'cust-42' })
    const all = toRapidproContact(values, fields, { urns: ['ext', 'whatsapp', 'tel', 'mailto'] })
    expect(all.urns).toEqual(['mailto:a@example.com', 'tel:+385911234567', 'whatsapp:385911234567', 'ext:cust-42'])
    expect(all.body.fields).toBeUndefined()
    expect(toRapidproContact(values, fields, { urns: ['tel'] }).urn).toBe('tel:+385911234567')
  })

  it('has no URN to look up by without email or phone', () => {
    expect(toRapidproContact({ firstName: 'Ana' }, identity('firstName'), {}).urn).toBeNull()
  })

  it('joins first and last name, at most 64 characters', () => {
    expect(
      toRapidproContact({ firstName: ' Ana ', lastName: 'Lovelace' }, identity('firstName', 'lastName'), {}).body.name,
    ).toBe('Ana Lovelace')
    expect(toRapidproContact({ lastName: 'Lovelace' }, identity('firstName', 'lastName'), {}).body.name).toBe(
      'Lovelace',
    )
    const long = toRapidproContact(
      { firstName: 'é'.repeat(40), lastName: 'ü'.repeat(40) },
      identity('firstName', 'lastName'),
      {},
    )
    expect(Array.from(long.body.name ?? '')).toHaveLength(64)
  })

  it("takes the person's language in ISO 639-3; the form's language is only a default", () => {
    const fields = identity('email', 'preferredLanguage')
    expect(
      toRapidproContact({ email: 'a@b.co', preferredLanguage: 'en-GB' }, fields, { language: 'por' }).body.language,
    ).toBe('eng')
    expect(toRapidproContact({ email: 'a@b.co', preferredLanguage: 'hrv' }, fields, {}).body.language).toBe('hrv')
    const unknown = toRapidproContact({ email: 'a@b.co', preferredLanguage: 'Klingon' }, fields, { language: 'por' })
    expect(unknown.body.language).toBeUndefined()
    expect(unknown.defaultLanguage).toBe('por')
    expect(toIso6393('pt_BR')).toBe('por')
    expect(toIso6393('zz')).toBeUndefined()
  })

  it('sends every other value as a string field with a snake_case key', () => {
    const plan = toRapidproContact(
      {
        email: 'a@b.co',
        birthDate: '1990-05-01',
        consent: true,
        topics: ['shoes', 'bags'],
        city: ' Split ',
        has: 'x',
        '2fa': 'y',
        empty: '',
      },
      identity('email', 'birthDate', 'consent', 'topics', 'city', 'has', '2fa', 'empty'),
      {},
    )
    expect(plan.body.fields).toEqual({
      birth_date: '1990-05-01',
      consent: 'true',
      topics: 'shoes, bags',
      city: 'Split',
    })
  })

  it("follows the people mapping of Infobip forms and the config's key overrides", () => {
    const plan = toRapidproContact(
      { email_address: 'a@b.co', first_name: 'Ana', opt_in: false, unmapped: 'x' },
      { email_address: 'email', first_name: 'firstName', opt_in: 'marketingConsent' },
      { fields: { marketingConsent: 'newsletter_consent' } },
    )
    expect(plan.urn).toBe('mailto:a@b.co')
    expect(plan.emailField).toBe('email_address')
    expect(plan.body).toEqual({ name: 'Ana', fields: { newsletter_consent: 'false' } })
  })
})

describe('RapidPro field keys', () => {
  it("follows RapidPro's key rules", () => {
    expect(fieldKeyFor('birthDate')).toBe('birth_date')
    expect(fieldKeyFor('HTMLColor')).toBe('html_color')
    expect(fieldKeyFor('Opt-in 2')).toBe('opt_in_2')
    expect(fieldKeyFor('__x__')).toBe('x')
    expect(fieldKeyFor('2fa')).toBeNull()
    expect(fieldKeyFor('urns')).toBeNull()
    expect(fieldKeyFor('a'.repeat(40))).toBe('a'.repeat(36))
    expect(fieldNameFor('birth_date')).toBe('Birth date')
  })

  it('lists the fields a config form writes, with a type for each', () => {
    const form = FormConfig.parse({
      id: 'f',
      allowedOrigins: ['https://shop.example.com'],
      fields: [
        { name: 'email', type: 'email' },
        { name: 'firstName', type: 'text' },
        { name: 'age', type: 'number' },
        { name: 'birthDate', type: 'date' },
        { name: 'consent', type: 'checkbox' },
      ],
      rapidpro: { fields: { consent: 'newsletter_consent', sourceTag: 'source_tag' } },
    })
    expect(contactFieldsOf(form)).toEqual([
      { key: 'age', type: 'number', from: 'age' },
      { key: 'birth_date', type: 'datetime', from: 'birthDate' },
      { key: 'newsletter_consent', type: 'text', from: 'consent' },
      { key: 'source_tag', type: 'text', from: 'sourceTag' },
    ])
  })
})

describe('rapidpro config block', () => {
  const form = (rapidpro: unknown, fields: unknown[] = [{ name: 'email', type: 'email' }]) =>
    FormConfig.safeParse({ id: 'f', allowedOrigins: ['https://shop.example.com'], fields, rapidpro })

  it('accepts the contract example and the new urns key', () => {
    expect(RapidproConfig.parse({ groups: ['Newsletter'], language: 'eng' })).toEqual({
      groups: ['Newsletter'],
      language: 'eng',
    })
    expect(
      form({
        groups: ['6685e933-26e1-4363-a468-8f7268ab63a9'],
        urns: ['mailto', 'whatsapp'],
        fields: { consent: 'opt_in' },
      }).success,
    ).toBe(true)
  })

  it('refuses unknown URN schemes, bad field keys, bad group names and a form without email or phone', () => {
    const messages = (result: ReturnType<typeof form>) =>
      result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
    expect(messages(form({ urns: ['twitter'] }))[0]).toMatch(/^rapidpro\.urns\.0:/)
    expect(messages(form({ fields: { consent: 'Opt In' } }))[0]).toMatch(
      /^rapidpro\.fields\.consent: must be a RapidPro field key/,
    )
    expect(messages(form({ fields: { consent: 'has' } }))[0]).toMatch(/reserved/)
    expect(messages(form({ groups: [' Newsletter'] }))[0]).toMatch(/^rapidpro\.groups\.0:/)
    expect(messages(form({ language: 'en' }))[0]).toMatch(/ISO 639-3/)
    expect(messages(form({}, [{ name: 'firstName', type: 'text' }]))).toEqual([
      'rapidpro: a form with "rapidpro" needs an "email" or a "phone" field to identify the contact',
    ])
    expect(form({ urns: ['ext'] }, [{ name: 'externalId', type: 'hidden', value: 'x' }]).success).toBe(true)
  })
})

describe('operator log redaction', () => {
  it('hides emails and phone numbers in RapidPro messages', () => {
    expect(redact('Invalid URN: mailto:ana@example.com. Ensure phone numbers contain country codes.')).toBe(
      'Invalid URN: mailto:[email] Ensure phone numbers contain country codes.',
    )
    expect(redact('Invalid URN: tel:+385 91 123 4567.')).toBe('Invalid URN: tel:[number].')
    expect(redact('No such object: Newsletter')).toBe('No such object: Newsletter')
  })
})
