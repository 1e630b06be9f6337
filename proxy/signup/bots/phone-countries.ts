import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js'
import type { SubmissionValues } from '../../../contract/definition'
import type { Locale } from '../../../contract/locales'
import type { ResolvedForm } from '../../forms/registry'

/** The refusal in each built-in language (SMS pumping protection is the proxy's own rule). */
const NOT_ALLOWED: Record<Locale, string> = {
  en: 'We cannot accept phone numbers from this country.',
  de: 'Telefonnummern aus diesem Land können wir nicht annehmen.',
  es: 'No podemos aceptar números de teléfono de este país.',
  fr: 'Nous ne pouvons pas accepter les numéros de téléphone de ce pays.',
  hr: 'Ne možemo prihvatiti telefonske brojeve iz ove zemlje.',
  'pt-BR': 'Não podemos aceitar números de telefone deste país.',
}

/** The country of a phone number as typed or as normalised (`+49…`, `0049…`, Infobip's `49…`). */
export function phoneCountry(value: string, countries: readonly string[]): string | undefined {
  // `00` is the international prefix in most of the world; without a default country the parser needs `+`.
  const trimmed = value.trim().replace(/^00/, '+')
  // A national number ("0170 …") can only be placed when the form allows a single country.
  const only = countries.length === 1 ? (countries[0] as CountryCode) : undefined
  const parsed =
    parsePhoneNumberFromString(trimmed, only ? { defaultCountry: only } : {}) ??
    (/^[\d ]+$/.test(trimmed) ? parsePhoneNumberFromString(`+${trimmed}`) : undefined)
  return parsed?.country
}

/**
 * Field errors for phone values (`tel` fields and fields mapped to `phone`) outside the form's
 * allowed countries; a number whose country cannot be told is refused too.
 */
export function phoneCountryErrors(
  form: ResolvedForm,
  values: SubmissionValues,
  countries: readonly string[],
  locale: Locale,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {}
  for (const field of form.definition.fields) {
    const value = values[field.name]
    const isPhone = field.type === 'tel' || form.personFields[field.name] === 'phone'
    if (!isPhone || typeof value !== 'string' || value.trim() === '') {
      continue
    }
    const country = phoneCountry(value, countries)
    if (country === undefined || !countries.includes(country)) {
      errors[field.name] = [NOT_ALLOWED[locale]]
    }
  }
  return errors
}
