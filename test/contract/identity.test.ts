import { describe, expect, it } from 'vitest'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import { concerns } from '../../proxy/delivery/identities'
import { toPersonData } from '../../proxy/signup/person'
import { mailtoUrn, telUrn, whatsappUrn } from '../../proxy/upstreams/rapidpro/contact'

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Ana.Horvat@Example.COM ')).toBe('ana.horvat@example.com')
  })
})

describe('normalisePhone', () => {
  it('keeps only the digits', () => {
    expect(normalisePhone('+44 (20) 7946-0958')).toBe('442079460958')
  })

  it('writes "+41…", "0041…" and "41…" as one number', () => {
    for (const raw of ['+41 79 302 67 27', '0041 79 302 67 27', '0041793026727', '41793026727', '+0041793026727']) {
      expect(normalisePhone(raw)).toBe('41793026727')
    }
  })

  it('leaves a national number as typed: its country is unknown', () => {
    expect(normalisePhone('079 302 67 27')).toBe('0793026727')
  })

  it('is idempotent', () => {
    for (const raw of ['0041 79 302 67 27', '+1 (555) 010-0000', '', 'none']) {
      expect(normalisePhone(normalisePhone(raw))).toBe(normalisePhone(raw))
    }
  })
})

describe('one rule wherever a person is written', () => {
  const email = ' Ana@Example.com '
  const phone = '0041 79 302 67 27'

  it('the signup person, the RapidPro URNs and the outbox match agree', () => {
    const person = toPersonData({ email, phone }, { email: 'email', phone: 'phone' })
    expect([person.email, person.phone]).toEqual([normaliseEmail(email), normalisePhone(phone)])
    expect([mailtoUrn(email), telUrn(phone), whatsappUrn(phone)]).toEqual([
      'mailto:ana@example.com',
      'tel:+41793026727',
      'whatsapp:41793026727',
    ])
    const delivery = {
      target: 'flow' as const,
      payload: { flow: { api: 'moments' as const, campaignId: '1' }, personData: person },
    }
    expect(concerns(delivery, { phone: '+41 79 302 67 27' })).toBe(true)
    expect(concerns(delivery, { email: 'ANA@example.com' })).toBe(true)
  })
})
