import { parseArgs } from 'node:util'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { PersonRef } from '../delivery/identities'
import { UsageError } from './io'

/** The person a command is about, from exactly one of `--email`, `--phone`, normalised as stored. */
export interface PersonArgs {
  who: PersonRef
  email?: string
  phone?: string
  /** "email ann@example.com" / "phone 41793026727", for messages. */
  label: string
}

/** Throws UsageError (exit 2) for none, both, or a value that names nobody. */
export function personArgs(args: string[]): PersonArgs {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, phone: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const email = values.email === undefined ? undefined : normaliseEmail(values.email)
  const phone = values.phone === undefined ? undefined : normalisePhone(values.phone)
  if ((email === undefined) === (phone === undefined)) {
    throw new UsageError('give exactly one of --email, --phone')
  }
  if (email === '' || phone === '') {
    throw new UsageError('the person identifier must not be empty')
  }
  // A typo here would find (or "erase") nobody and report success.
  if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new UsageError(`"${email}" is not an email address`)
  }
  if (phone !== undefined && !/^\d{6,15}$/.test(phone)) {
    throw new UsageError(`"${values.phone ?? ''}" is not a phone number (6 to 15 digits, with or without +)`)
  }
  return email !== undefined
    ? { who: { email }, email, label: `email ${email}` }
    : { who: { phone }, phone: phone ?? '', label: `phone ${phone ?? ''}` }
}
