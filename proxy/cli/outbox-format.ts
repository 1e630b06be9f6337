import { identitiesOf } from '../delivery/identities'
import type { DeliveryData } from '../delivery/payloads'
import { redact } from '../delivery/targets/rapidpro'

/** 45s, 12m, 5h, 3d: how long ago (or, for a time ahead, how long until). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) {
    return `${s}s`
  }
  if (s < 3_600) {
    return `${Math.floor(s / 60)}m`
  }
  if (s < 48 * 3_600) {
    return `${Math.floor(s / 3_600)}h`
  }
  return `${Math.floor(s / 86_400)}d`
}

/** `a***@example.com`: enough to tell rows apart, not enough to name the person. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  return at < 1 ? '***' : `${email.slice(0, 1)}***${email.slice(at)}`
}

/** `41***27`: the country code and the last two digits. */
export function maskPhone(digits: string): string {
  return digits.length < 6 ? '***' : `${digits.slice(0, 2)}***${digits.slice(-2)}`
}

/** Who a delivery is for, masked; '-' once its data is gone (done, rejected). */
export function maskedPerson(delivery: DeliveryData): string {
  const { emails, phones } = identitiesOf(delivery)
  const [email] = emails
  const [phone] = phones
  return email ? maskEmail(email) : phone ? maskPhone(phone) : '-'
}

/**
 * An upstream's error text may quote the person's email or number; the operator's screen must not.
 * URL paths are kept as they are (they name flows and forms by long numeric ids, not people), but
 * not their query strings.
 */
export function safeError(error: string | null): string {
  if (!error) {
    return '-'
  }
  // Paths are set aside behind private-use placeholders while the rest is redacted.
  const paths: string[] = []
  const held = error.replace(/\/[^\s?@]+(?=[\s?)]|$)/g, (path) => `\uE000${paths.push(path) - 1}\uE000`)
  return redact(held).replace(/\uE000(\d+)\uE000/g, (_, i: string) => paths[Number(i)] ?? '')
}
