import type { RapidproClient } from './client'
import { mailtoUrn, telUrn, whatsappUrn } from './urns'

/**
 * An erasure request: deletes every RapidPro contact reachable by the person's email or phone
 * (as mailto, tel and whatsapp URNs, the ways a signup can have stored them).
 */
export async function eraseContact(
  client: RapidproClient,
  who: { email?: string | undefined; phone?: string | undefined },
): Promise<'deleted' | 'not_found'> {
  if (!who.email?.trim() && !who.phone?.trim()) {
    throw new TypeError('eraseContact needs an email or a phone')
  }
  // A value RapidPro would not take as a URN cannot be the URN of a contact it holds.
  const urns = [
    who.email?.trim() ? mailtoUrn(who.email) : null,
    ...(who.phone?.trim() ? [telUrn(who.phone), whatsappUrn(who.phone)] : []),
  ].filter((urn): urn is string => urn !== null)
  let deleted = false
  for (const urn of urns) {
    // One by one: a contact deleted by its first URN answers 404 for its others.
    if ((await client.deleteContact(urn)) === 'deleted') {
      deleted = true
    }
  }
  return deleted ? 'deleted' : 'not_found'
}
