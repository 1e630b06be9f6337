/**
 * How a person's email and phone are written wherever the proxy stores, sends or looks them up:
 * upstreams, the outbox and the erase and flow-remove commands must agree, or "erase this person"
 * misses what was sent for them.
 */

/** Emails compare without surrounding spaces and case: Infobip and RapidPro do the same. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase()
}

/**
 * A phone number as international digits: separators and `+` dropped, and a leading `00` (the
 * international call prefix) dropped too, so "+41 79 302 67 27", "0041 79 302 67 27" and
 * "41793026727" are one number, the way Infobip wants it. A signup's number reaches this as
 * E.164 already (proxy/signup/phone.ts reads national numbers in the form's `defaultCountry`);
 * here, for what an operator types (erase, flow remove), a national "079 …" stays as typed.
 */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '')
  return digits.startsWith('00') ? digits.slice(2) : digits
}
