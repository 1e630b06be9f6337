import { describe, expect, it } from 'vitest'
import { phoneCountry, phoneCountryErrors } from '../../../proxy/signup/bots/phone-countries'
import type { ResolvedForm } from '../../../proxy/forms/registry'

const FORM = {
  definition: {
    id: 'f',
    fields: [
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'tel' },
      { name: 'mobile', type: 'text' },
    ],
  },
  personFields: { email: 'email', phone: 'phone', mobile: 'phone' },
} as unknown as ResolvedForm

describe('phone country allow-list', () => {
  it('should tell the country of international, 00-prefixed, Infobip-style and national numbers', () => {
    expect(phoneCountry('+49 170 1234567', ['DE', 'AT'])).toBe('DE')
    expect(phoneCountry('0043 664 1234567', ['DE', 'AT'])).toBe('AT')
    expect(phoneCountry('41791234567', ['DE', 'CH'])).toBe('CH')
    expect(phoneCountry('0170 1234567', ['DE'])).toBe('DE')
    expect(phoneCountry('0170 1234567', ['DE', 'AT'])).toBeUndefined()
  })

  it('should refuse numbers from other countries, or of no country, in the person language', () => {
    const errors = phoneCountryErrors(
      FORM,
      { email: 'a@example.com', phone: '+882 1234 5678', mobile: '+44 7700 900123' },
      ['DE', 'AT', 'CH'],
      'de',
    )
    expect(Object.keys(errors)).toEqual(['phone', 'mobile'])
    expect(errors.mobile?.[0]).toMatch(/Telefonnummern aus diesem Land/)
    expect(phoneCountryErrors(FORM, { phone: '+49 170 1234567', mobile: '' }, ['DE'], 'en')).toEqual({})
  })
})
