// RapidPro's URN rules, ported from temba/contacts/models.py (URN.to_parts, normalize, validate) and
// temba/utils/urns/urns.py (parse_urn, parse_number). Kept apart from proxy/upstreams/rapidpro on
// purpose: the fake must not share its rules with the code it checks. Email addresses go through a
// port of Django's EmailValidator with its own regular expressions, run by re2js (linear time).
import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { type CountryCode, parsePhoneNumberWithError } from 'libphonenumber-js/max'
import { RE2JS } from 're2js'

/** URN.VALID_SCHEMES: matched as written, so `TEL:` is no scheme. */
const URN_SCHEMES = new Set([
  'tel',
  'mailto',
  'bsuid',
  'ext',
  'facebook',
  'fcm',
  'freshchat',
  'instagram',
  'jiochat',
  'line',
  'rocketchat',
  'slack',
  'telegram',
  'twitterid',
  'twitter',
  'viber',
  'vk',
  'wechat',
  'webchat',
  'whatsapp',
])

export const MAX_URN_LENGTH = 255

export interface Urn {
  scheme: string
  path: string
  query: string
  display: string
}

const unescape = (s: string): string => s.replaceAll('%23', '#').replaceAll('%25', '%').replaceAll('%3F', '?')
const escape = (s: string): string => s.replaceAll('%', '%25').replaceAll('#', '%23').replaceAll('?', '%3F')

/** parse_urn: scheme, then path up to `?` (query) or `#` (display); null where temba raises ValueError. */
export function parseUrn(value: string): Urn | null {
  const parts = { scheme: '', path: '', query: '', display: '' }
  let state: keyof typeof parts = 'scheme'
  for (const c of value) {
    if (c === ':' && state === 'scheme') {
      state = 'path'
      continue
    }
    if (c === '?') {
      if (state !== 'path') {
        return null
      }
      state = 'query'
      continue
    }
    if (c === '#') {
      if (state !== 'path' && state !== 'query') {
        return null
      }
      state = 'display'
      continue
    }
    parts[state] += c
  }
  if (parts.scheme === '' || parts.path === '') {
    return null
  }
  const urn = {
    scheme: unescape(parts.scheme),
    path: unescape(parts.path),
    query: unescape(parts.query),
    display: unescape(parts.display),
  }
  return URN_SCHEMES.has(urn.scheme) ? urn : null
}

/** ParsedURN.__str__. */
export function formatUrn(urn: Urn, withExtras = true): string {
  let s = `${escape(urn.scheme)}:${escape(urn.path)}`
  if (withExtras && urn.query) {
    s += `?${escape(urn.query)}`
  }
  if (withExtras && urn.display) {
    s += `#${escape(urn.display)}`
  }
  return s
}

/** parse_number: E.164 of a parseable, possible number, else null (phonenumbers raised). */
function parseNumber(s: string, country: string | undefined): string | null {
  try {
    const parsed = parsePhoneNumberWithError(s, country ? { defaultCountry: country as CountryCode } : {})
    return parsed.isPossible() ? parsed.number : null
  } catch {
    return null
  }
}

/** URN.normalize_number. */
function normaliseNumber(number: string, country: string | undefined): string {
  const trimmed = number.trim()
  let normalised = trimmed.toLowerCase()
  if (normalised.endsWith('e+11') || normalised.endsWith('e+12')) {
    normalised = normalised.slice(0, -4).replaceAll('.', '')
  }
  normalised = normalised.replace(/[^0-9a-z]/g, '')
  const parseAs =
    trimmed.startsWith('+') || (normalised.length >= 11 && !normalised.startsWith('0')) ? `+${normalised}` : normalised
  return parseNumber(parseAs, country) ?? normalised
}

/** URN.normalize; null where it raises. `country` is the workspace's default country. */
export function normaliseUrn(value: string, country?: string): Urn | null {
  const urn = parseUrn(value)
  if (!urn) {
    return null
  }
  let path = urn.path.trim()
  let display = urn.display
  switch (urn.scheme) {
    case 'tel':
      path = normaliseNumber(path, country)
      break
    case 'twitter':
      path = path.toLowerCase().replace(/^@/, '')
      break
    case 'twitterid':
      display = display.trim().toLowerCase().replace(/^@/, '')
      break
    case 'mailto':
      path = path.toLowerCase()
      break
    case 'whatsapp':
    case 'bsuid':
      if (path.length > 2 && path[2] === '.') {
        path = path.slice(0, 2).toUpperCase() + path.slice(2)
      }
      break
  }
  return path === '' ? null : { ...urn, path, display }
}

/** URN.identity: scheme and path only. */
export const identityOf = (urn: Urn): string => formatUrn(urn, false)

const BSUID = /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/
const TWITTER = /^[a-zA-Z0-9_]{1,15}$/

/** URN.validate, of a normalised URN. */
export function isValidUrn(urn: Urn, country?: string): boolean {
  const { scheme, path, display } = urn
  switch (scheme) {
    case 'tel':
      return parseNumber(path, country) !== null
    case 'twitter':
      return TWITTER.test(path)
    case 'twitterid':
      return /^\d+$/.test(path) && (!display || TWITTER.test(display))
    case 'mailto':
      return isDjangoEmail(path)
    case 'facebook':
      return path.startsWith('ref:') || /^[-+]?\d+$/.test(path.trim())
    case 'telegram':
    case 'instagram':
      return /^[0-9]+$/.test(path)
    case 'whatsapp':
      return /^[0-9]+$/.test(path) || BSUID.test(path)
    case 'bsuid':
      return BSUID.test(path)
    default:
      return true
  }
}

/** fields.validate_urn: the normalised URN string, or null for "Invalid URN: …". */
export function validateUrn(value: string, country?: string): string | null {
  const urn = normaliseUrn(value, country)
  return urn && isValidUrn(urn, country) ? formatUrn(urn) : null
}

export const invalidUrnMessage = (value: string): string =>
  `Invalid URN: ${value}. Ensure phone numbers contain country codes.`

// django/core/validators.py EmailValidator, its patterns as written there (`\Z` → `$`; the
// domain's `(?<!-)` lookbehind, which RE2 lacks, checked apart).
const USER = RE2JS.compile(
  "^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$" +
    '|^"([\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f!#-\\[\\]-\\x7f]|\\\\[\\x01-\\x09\\x0b\\x0c\\x0e-\\x7f])*"$',
  RE2JS.CASE_INSENSITIVE,
)
const DOMAIN = RE2JS.compile(
  '^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\\.)+)(?:[A-Z0-9-]{2,63})$',
  RE2JS.CASE_INSENSITIVE,
)
const LITERAL = RE2JS.compile('^\\[([A-f0-9:\\.]+)\\]$', RE2JS.CASE_INSENSITIVE)

function validDomain(domain: string): boolean {
  if (DOMAIN.matcher(domain).find() && !domain.endsWith('-')) {
    return true
  }
  const literal = LITERAL.matcher(domain)
  return literal.find() && isIP(literal.group(1) ?? '') !== 0
}

export function isDjangoEmail(value: string): boolean {
  if (!value || !value.includes('@') || value.length > 320) {
    return false
  }
  const at = value.lastIndexOf('@')
  const user = value.slice(0, at)
  const domain = value.slice(at + 1)
  if (!USER.matcher(user).find()) {
    return false
  }
  if (domain === 'localhost' || validDomain(domain)) {
    return true
  }
  const ascii = domainToASCII(domain)
  return ascii !== '' && validDomain(ascii)
}
