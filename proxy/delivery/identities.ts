import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { DeliveryData } from './payloads'

/** Who a stored delivery is about, read from its typed payload (payloads.ts). */
export interface Identities {
  /** As contract/identity.ts normaliseEmail writes them. */
  emails: string[]
  /** As contract/identity.ts normalisePhone writes them. */
  phones: string[]
}

/** How an erasure request names the person. */
export interface PersonRef {
  email?: string | undefined
  phone?: string | undefined
}

export function identitiesOf(delivery: DeliveryData): Identities {
  const found: Identities = { emails: [], phones: [] }
  const add = (kind: 'email' | 'phone', value: unknown) => {
    if (typeof value !== 'string' || value.trim() === '') {
      return
    }
    const list = kind === 'email' ? found.emails : found.phones
    const normal = kind === 'email' ? normaliseEmail(value) : normalisePhone(value)
    if (normal !== '' && !list.includes(normal)) {
      list.push(normal)
    }
  }
  if (delivery.payload === null) {
    // Its data was dropped (finished or stopped) or no longer parses: it names no one.
    return found
  }
  switch (delivery.target) {
    case 'flow':
      add('email', delivery.payload.personData.email)
      add('phone', delivery.payload.personData.phone)
      break
    case 'form-data':
      // Only values are stored, not field types: emails are stored lower-cased, phones as digits.
      for (const value of Object.values(delivery.payload.data)) {
        if (typeof value === 'string' && EMAIL.test(value.trim())) {
          add('email', value)
        } else if (typeof value === 'string' && PHONE.test(value.trim())) {
          add('phone', value)
        }
      }
      break
    case 'rapidpro':
      for (const urn of delivery.payload.contact.urns) {
        const [scheme, path] = splitUrn(urn)
        if (scheme === 'mailto') {
          add('email', path)
        } else if (scheme === 'tel' || scheme === 'whatsapp') {
          add('phone', path)
        }
      }
      break
  }
  return found
}

/** Whether a stored delivery carries this person's email or phone. */
export function concerns(delivery: DeliveryData, who: PersonRef): boolean {
  const { emails, phones } = identitiesOf(delivery)
  const email = who.email ? normaliseEmail(who.email) : ''
  const phone = who.phone ? normalisePhone(who.phone) : ''
  return (email !== '' && emails.includes(email)) || (phone !== '' && phones.includes(phone))
}

const EMAIL = /^[^\s@]+@[^\s@]+$/
/** Digits only (a tel field as stored), or an international number as someone typed it. */
const PHONE = /^(\d{6,15}|\+[\d\s().-]{6,})$/

/** `mailto:ann@example.com#Ann` → ['mailto', 'ann@example.com']. */
function splitUrn(urn: string): [string, string] {
  const colon = urn.indexOf(':')
  const bare = urn.slice(colon + 1).split(/[#?]/)[0] ?? ''
  return [urn.slice(0, Math.max(colon, 0)).toLowerCase(), bare]
}
