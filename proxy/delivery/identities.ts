import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { Delivery } from './outbox'

/**
 * Who a stored delivery is about, read from its payload as each target stores it (flow:
 * submissions/deliver.ts FlowPayload; form-data: FormDataPayload; rapidpro: rapidpro/deliver.ts
 * RapidproPayload). Read defensively: a row may have been written by an older version.
 */
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

export function identitiesOf(delivery: Pick<Delivery, 'target' | 'payload'>): Identities {
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
  const { payload } = delivery
  switch (delivery.target) {
    case 'flow': {
      const person = record(payload.personData)
      add('email', person.email)
      add('phone', person.phone)
      break
    }
    case 'form-data':
      // Only values are stored, not field types: emails are stored lower-cased, phones as digits.
      for (const value of Object.values(record(payload.data))) {
        if (typeof value === 'string' && EMAIL.test(value.trim())) {
          add('email', value)
        } else if (typeof value === 'string' && PHONE.test(value.trim())) {
          add('phone', value)
        }
      }
      break
    case 'rapidpro': {
      const urns = record(payload.contact).urns
      for (const urn of Array.isArray(urns) ? urns : []) {
        const [scheme, path] = typeof urn === 'string' ? splitUrn(urn) : ['', '']
        if (scheme === 'mailto') {
          add('email', path)
        } else if (scheme === 'tel' || scheme === 'whatsapp') {
          add('phone', path)
        }
      }
      break
    }
  }
  return found
}

/** Whether a stored delivery carries this person's email or phone. */
export function concerns(delivery: Pick<Delivery, 'target' | 'payload'>, who: PersonRef): boolean {
  const { emails, phones } = identitiesOf(delivery)
  const email = who.email ? normaliseEmail(who.email) : ''
  const phone = who.phone ? normalisePhone(who.phone) : ''
  return (email !== '' && emails.includes(email)) || (phone !== '' && phones.includes(phone))
}

const EMAIL = /^[^\s@]+@[^\s@]+$/
/** Digits only (a tel field as stored), or an international number as someone typed it. */
const PHONE = /^(\d{6,15}|\+[\d\s().-]{6,})$/

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

/** `mailto:ann@example.com#Ann` → ['mailto', 'ann@example.com']. */
function splitUrn(urn: string): [string, string] {
  const colon = urn.indexOf(':')
  const bare = urn.slice(colon + 1).split(/[#?]/)[0] ?? ''
  return [urn.slice(0, Math.max(colon, 0)).toLowerCase(), bare]
}
