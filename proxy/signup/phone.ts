import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { normalisePhone } from '../../contract/identity'

/**
 * A phone number as E.164 ("+41793026727"), or null when it is no real number. libphonenumber-js
 * with its full metadata (`/max`: number types per country, not just lengths) rather than the
 * widget's light check: a made-up number would fail upstream, or be an SMS-pumping target. Proxy
 * only; the metadata would blow the widget's bundle budget many times over.
 *
 * "+41…" and "0041…" are international; anything else is first read as a national number of the
 * form's `defaultCountry`, then as international digits without the "+" ("41793026727"), the way
 * integrations and Infobip write them.
 */
export function toE164(raw: string, defaultCountry?: string): string | null {
  const value = raw.trim()
  const digits = normalisePhone(value)
  if (!/^(\+|00)/.test(value) && defaultCountry) {
    const national = parsePhoneNumberFromString(value, defaultCountry as CountryCode)
    if (national?.isValid()) {
      return national.number
    }
  }
  const international = parsePhoneNumberFromString(`+${digits}`)
  return international?.isValid() ? international.number : null
}
