import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { normaliseEmail, normalisePhone } from '../../../contract/identity'

/**
 * URNs as RapidPro validates them (temba/contacts/models.py URN.normalize / URN.validate), so that a
 * contact write is never refused for a URN the proxy built: schemes in lower case (an upper-case
 * scheme is no scheme to RapidPro), `tel:` in E.164 read with the form's default country, `mailto:`
 * by Django's email validator. `#`, `?` and `%` in a path are escaped as temba/utils/urns does, since
 * unescaped they would start the URN's display or query.
 */

/** temba URNField: max_length 255, over the whole URN. */
export const MAX_URN_LENGTH = 255

/**
 * `tel:+41793026727`, or null when the number is no real one. Read like proxy/signup/phone.ts: "+…"
 * and "00…" internationally, else nationally in `defaultCountry`, else, as RapidPro does for 11 and
 * more digits not starting with 0, as international digits without the "+". A national "079…"
 * without a default country has no country code, which RapidPro refuses, so it gives null.
 */
export function telUrn(raw: string, defaultCountry?: string): string | null {
  const e164 = toE164(raw, defaultCountry)
  return e164 ? `tel:${e164}` : null
}

/** WhatsApp URNs are the number's digits with the country code and no `+`. */
export function whatsappUrn(raw: string, defaultCountry?: string): string | null {
  const e164 = toE164(raw, defaultCountry)
  return e164 ? `whatsapp:${e164.slice(1)}` : null
}

/** `mailto:` and the address in lower case (as RapidPro stores it), or null when Django would refuse it. */
export function mailtoUrn(raw: string): string | null {
  const address = normaliseEmail(raw)
  return isDjangoEmail(address) ? fits(`mailto:${escapePath(address)}`) : null
}

function toE164(raw: string, defaultCountry?: string): string | null {
  const value = raw.trim()
  if (value === '' || value.length > 64) {
    return null
  }
  const digits = normalisePhone(value)
  const international = /^(\+|00)/.test(value) || (digits.length >= 11 && !digits.startsWith('0'))
  const parsed = international
    ? parsePhoneNumberFromString(`+${digits}`)
    : defaultCountry
      ? parsePhoneNumberFromString(value, defaultCountry as CountryCode)
      : undefined
  // Valid (a real number of its country), which implies the "possible" RapidPro checks.
  return parsed?.isValid() ? parsed.number : null
}

function fits(urn: string): string | null {
  return urn.length <= MAX_URN_LENGTH ? urn : null
}

/** temba/utils/urns ESCAPES: `%` first, so that the other escapes are not escaped again. */
export function escapePath(path: string): string {
  return path.replaceAll('%', '%25').replaceAll('#', '%23').replaceAll('?', '%3F')
}

// Django's EmailValidator (django/core/validators.py), rewritten without its regular expressions'
// nested quantifiers so that no input can make them backtrack: the local part is either dot-atoms
// or one quoted string, the domain dot-separated labels and a TLD, an IP literal, or "localhost".
const ATOM = /^[-!#$%&'*+/=?^_`{}|~0-9a-z]+$/i
// Both alternatives start with different characters (a backslash is in neither class), so the
// alternation never has to try both.
// eslint-disable-next-line no-control-regex -- Django's quoted-string allows these control characters
const QUOTED = /^"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$/
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i
const TLD = /^[a-z0-9-]+$/i
const LITERAL = /^\[([a-f0-9:.]+)\]$/i
/** Django refuses longer addresses outright (CVE-2023-36053). */
const MAX_EMAIL_LENGTH = 320

export function isDjangoEmail(value: string): boolean {
  if (value === '' || value.length > MAX_EMAIL_LENGTH) {
    return false
  }
  const at = value.lastIndexOf('@')
  if (at < 0) {
    return false
  }
  const user = value.slice(0, at)
  const domain = value.slice(at + 1)
  if (!validUser(user)) {
    return false
  }
  if (domain === 'localhost' || validDomain(domain)) {
    return true
  }
  // A possible IDN ("bücher.ch"): its punycode form must pass.
  const ascii = domainToASCII(domain)
  return ascii !== '' && ascii !== domain && validDomain(ascii)
}

function validUser(user: string): boolean {
  if (user.startsWith('"')) {
    return QUOTED.test(user)
  }
  return user.split('.').every((atom) => ATOM.test(atom))
}

function validDomain(domain: string): boolean {
  const literal = LITERAL.exec(domain)
  if (literal) {
    return isIP(literal[1] ?? '') !== 0
  }
  const labels = domain.split('.')
  const tld = labels.pop() ?? ''
  if (labels.length === 0 || tld.length < 2 || tld.length > 63 || !TLD.test(tld) || tld.endsWith('-')) {
    return false
  }
  return labels.every((label) => label.length <= 63 && LABEL.test(label))
}
