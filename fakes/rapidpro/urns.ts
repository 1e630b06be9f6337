// RapidPro's URN rules (temba URN / mailroom): a known scheme, a scheme-specific normal form, and
// validation of that normal form. Kept apart from proxy/rapidpro on purpose: the fake must not
// share its rules with the code it checks.

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

const MAX_URN_LENGTH = 255
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const BSUID = /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/

export interface Urn {
  scheme: string
  path: string
}

/** `scheme:path` with a known scheme and a non-empty path; anything after `#` (display) is dropped. */
export function parseUrn(value: string): Urn | null {
  const colon = value.indexOf(':')
  if (colon <= 0) {
    return null
  }
  const scheme = value.slice(0, colon).toLowerCase()
  const path = (value.slice(colon + 1).split('#')[0] ?? '').trim()
  return URN_SCHEMES.has(scheme) && path !== '' ? { scheme, path } : null
}

/**
 * The normal form RapidPro stores. Phone numbers lose their formatting (the org has no default
 * country here, so a number without `+` stays unparseable); emails and Twitter handles are lower-cased.
 */
export function normaliseUrn({ scheme, path }: Urn): string {
  switch (scheme) {
    case 'tel': {
      const plus = path.startsWith('+')
      const digits = path.replace(/[\s().-]/g, '').replace(/^\+/, '')
      return `tel:${plus ? '+' : ''}${digits}`
    }
    case 'mailto':
      return `mailto:${path.toLowerCase()}`
    case 'twitter':
      return `twitter:${path.replace(/^@/, '').toLowerCase()}`
    case 'whatsapp':
    case 'bsuid':
      return `${scheme}:${/^[a-z]{2}\./i.test(path) ? path.slice(0, 2).toUpperCase() + path.slice(2) : path}`
    default:
      return `${scheme}:${path}`
  }
}

/** Whether a normalised URN is one RapidPro accepts. */
export function isValidUrn(urn: string): boolean {
  if (urn.length > MAX_URN_LENGTH) {
    return false
  }
  const parsed = parseUrn(urn)
  if (!parsed) {
    return false
  }
  const { scheme, path } = parsed
  switch (scheme) {
    case 'tel':
      // E.164: a country code that does not start with 0, 8 to 15 digits in all.
      return /^\+[1-9]\d{7,14}$/.test(path)
    case 'mailto':
      return EMAIL.test(path)
    case 'whatsapp':
    case 'bsuid':
      return /^[0-9]+$/.test(path) || BSUID.test(path)
    case 'telegram':
    case 'instagram':
      return /^[0-9]+$/.test(path)
    case 'facebook':
      return /^[0-9]+$/.test(path) || path.startsWith('ref:')
    default:
      return true
  }
}

export const invalidUrnMessage = (value: string): string =>
  `Invalid URN: ${value}. Ensure phone numbers contain country codes.`
