import { PERSON_FIELD_MESSAGE } from './legacy-flow'
import { isUnavailability, outcomeFromError } from '../from-error'
import type { DeliveryOutcome } from '../outcome'
import type { Delivery, RapidproFollowUp } from '../payloads'
import type { RapidproClient } from '../../upstreams/rapidpro/client'
import type { RapidproContactPlan } from '../../upstreams/rapidpro/contact'
import { isUpstreamCallError } from '../../upstreams/errors'
import {
  isDeletedContactError,
  RAPIDPRO_INVALID_TOKEN,
  RapidproHttpError,
  type RapidproIssue,
} from '../../upstreams/rapidpro/errors'
import type { ContactWrite, RapidproContact } from '../../upstreams/rapidpro/types'

export const RAPIDPRO_UPSTREAM = 'rapidpro'

/** Left to do once the contact is saved (payloads.ts), kept as the delivery's state. */
type FollowUp = RapidproFollowUp

/** The contact is in RapidPro and only follow-ups remain: a RapidPro-only form may say "enrolled". */
export function contactSaved(outcome: DeliveryOutcome): boolean {
  return outcome.kind === 'awaiting' && 'saved' in outcome.state && outcome.state.saved === true
}

/**
 * One attempt of a RapidPro delivery. The first attempt is a single upsert by the primary URN, so
 * it adds one round trip to the person's request; follow-ups run in the outbox worker. Every step
 * is idempotent, so any of them can be retried after a timeout.
 */
export async function deliverToRapidpro(
  client: RapidproClient | null,
  delivery: Extract<Delivery, { target: 'rapidpro' }>,
  options: { waitMs: number },
): Promise<DeliveryOutcome> {
  if (!client) {
    return failed(undefined, 'RapidPro is not configured: set RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN')
  }
  const payload = delivery.payload
  const plan = payload.contact
  const followUp = delivery.state.saved === true ? delivery.state : null
  if (followUp) {
    return finish(client, plan, followUp)
  }
  if (!plan.urn) {
    return failed(undefined, 'no email or phone to identify the contact')
  }
  const askPerson = payload.decides && delivery.attempts === 0
  // RapidPro sees a second URN only after the person has been answered, so its shape is checked now.
  if (askPerson && plan.phoneField && plan.urns.slice(1).some((urn) => !plausibleNumber(urn))) {
    return { kind: 'invalid', fields: { [plan.phoneField]: [PERSON_FIELD_MESSAGE.phone] } }
  }
  let saved: { created: boolean; contact: RapidproContact }
  try {
    // In the person's request, RapidPro gets the time the person is willing to wait; the worker, the client's.
    saved = await client.upsertContact(
      plan.urn,
      plan.body,
      options.waitMs > 0 ? { timeoutMs: Math.max(options.waitMs, 1_000) } : {},
    )
  } catch (error) {
    // Only the person's own first attempt can still ask them to correct a value.
    return outcomeOf(error, plan, { askPerson, sentUrns: [plan.urn] })
  }
  const next = followUpOf(plan, saved.contact)
  return next ? { kind: 'awaiting', state: { ...next } } : { kind: 'done', status: 'enrolled' }
}

/** E.164 as RapidPro needs it: a country code (not starting with 0), 8 to 15 digits in all. */
function plausibleNumber(urn: string): boolean {
  if (urn.startsWith('tel:')) {
    return /^tel:\+[1-9]\d{7,14}$/.test(urn)
  }
  return urn.startsWith('whatsapp:') ? /^whatsapp:[1-9]\d{7,14}$/.test(urn) : true
}

function followUpOf(plan: RapidproContactPlan, contact: RapidproContact): FollowUp | null {
  const groups = plan.groups.filter(
    (ref) => !contact.groups.some((g) => g.uuid === ref || g.name.toLowerCase() === ref.toLowerCase()),
  )
  const update = missingUrns(plan, contact).length > 0 || defaultLanguage(plan, contact) !== undefined
  return groups.length > 0 || update ? { saved: true, uuid: contact.uuid, groups, update } : null
}

async function finish(client: RapidproClient, plan: RapidproContactPlan, followUp: FollowUp): Promise<DeliveryOutcome> {
  let sentUrns: string[] | undefined
  try {
    for (const group of followUp.groups) {
      await client.addToGroup([followUp.uuid], group)
    }
    if (followUp.update) {
      // Read again: URNs are written as a whole list, and the contact may have changed meanwhile.
      const current = await client.getContact({ uuid: followUp.uuid })
      if (!current) {
        return { kind: 'done', status: 'enrolled' }
      }
      const body: ContactWrite & { urns?: string[] } = {}
      const missing = missingUrns(plan, current)
      if (missing.length > 0) {
        sentUrns = [...current.urns, ...missing]
        body.urns = sentUrns
      }
      const language = defaultLanguage(plan, current)
      if (language) {
        body.language = language
      }
      if (Object.keys(body).length > 0) {
        await client.updateContact(followUp.uuid, body)
      }
    }
    return { kind: 'done', status: 'enrolled' }
  } catch (error) {
    if (contactGone(error)) {
      // Deleted since (an erasure request): nothing is left to complete, and nothing may be recreated.
      return { kind: 'done', status: 'enrolled' }
    }
    return outcomeOf(error, plan, { askPerson: false, sentUrns })
  }
}

function missingUrns(plan: RapidproContactPlan, contact: RapidproContact): string[] {
  const have = new Set(contact.urns.map(identity))
  return plan.urns.filter((urn) => !have.has(identity(urn)))
}

function defaultLanguage(plan: RapidproContactPlan, contact: RapidproContact): string | undefined {
  return !contact.language && !plan.body.language ? plan.defaultLanguage : undefined
}

/** `mailto:Ana@X.com#Ana` and `mailto:ana@x.com` are the same URN. */
function identity(urn: string): string {
  const bare = urn.split(/[#?]/)[0] ?? urn
  const colon = bare.indexOf(':')
  const scheme = bare.slice(0, colon).toLowerCase()
  const path = bare.slice(colon + 1)
  return `${scheme}:${scheme === 'mailto' ? path.toLowerCase() : path}`
}

function contactGone(error: unknown): boolean {
  if (!(error instanceof RapidproHttpError)) {
    return false
  }
  return (
    error.status === 404 ||
    isDeletedContactError(error) ||
    (error.status === 400 && error.issues.some((i) => i.field === 'contacts'))
  )
}

function outcomeOf(
  error: unknown,
  plan: RapidproContactPlan,
  context: { askPerson: boolean; sentUrns?: string[] | undefined },
): DeliveryOutcome {
  if (isUpstreamCallError(error) && error.transient) {
    return {
      kind: 'retry',
      reason: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      ...(error.heldBack ? { free: true } : {}),
      ...(isUnavailability(error) ? { unavailable: true } : {}),
    }
  }
  if (error instanceof RapidproHttpError) {
    const urnIssue = error.status === 400 ? error.issues.find(isUrnIssue) : undefined
    if (urnIssue) {
      const scheme = schemeOf(urnIssue, plan, context.sentUrns)
      const field =
        scheme === 'mailto' ? plan.emailField : scheme === 'tel' || scheme === 'whatsapp' ? plan.phoneField : undefined
      if (context.askPerson && field && /invalid|not valid/i.test(urnIssue.message)) {
        return {
          kind: 'invalid',
          fields: { [field]: [scheme === 'mailto' ? PERSON_FIELD_MESSAGE.email : PERSON_FIELD_MESSAGE.phone] },
        }
      }
      return failed(error.status, `RapidPro refused the ${scheme ? `${scheme} ` : ''}URN: ${redact(urnIssue.message)}`)
    }
    return {
      ...failed(error.status, reasonOf(error)),
      ...(error.upstreamCode ? { upstreamCode: error.upstreamCode } : {}),
    }
  }
  // An unexpected body (RapidproResponseError) gets the same answer when asked again, so it fails
  // for the operator; a bug is retried, which is safe because every step is idempotent.
  return outcomeFromError(RAPIDPRO_UPSTREAM, error)
}

function isUrnIssue(issue: RapidproIssue): boolean {
  return issue.field === 'urns' || /\bURN\b/.test(issue.message)
}

function schemeOf(issue: RapidproIssue, plan: RapidproContactPlan, sentUrns: string[] | undefined): string | undefined {
  const urn = issue.index !== undefined ? sentUrns?.[issue.index] : (sentUrns?.[0] ?? plan.urn ?? undefined)
  return urn?.slice(0, urn.indexOf(':')).toLowerCase()
}

function reasonOf(error: RapidproHttpError): string {
  const message = redact(error.upstreamMessage ?? 'no details')
  if (error.upstreamCode === RAPIDPRO_INVALID_TOKEN) {
    // 403 as often as 401: RapidPro answers an unknown token 403 "Invalid token".
    return `RapidPro refused the token (check RAPIDPRO_TOKEN): ${message}`
  }
  switch (error.status) {
    case 401:
      return `RapidPro refused the token (check RAPIDPRO_TOKEN): ${message}`
    case 403:
      return `RapidPro refused the request (the token's user lacks permission): ${message}`
    case 409:
      return `RapidPro workspace limit reached: ${message}`
    default: {
      const setup = error.issues.some((i) => i.field === 'fields' || i.field === 'groups' || i.field === 'group')
      return setup ? `${message} (run \`npx flowform rapidpro sync\` to create the form's fields and groups)` : message
    }
  }
}

function failed(status: number | undefined, reason: string): DeliveryOutcome {
  return { kind: 'failed', upstream: RAPIDPRO_UPSTREAM, status, reason }
}

/** Upstream messages may quote the person's email or number; the operator's log must not. */
export function redact(text: string): string {
  return text.replace(/[^\s@:"'<>]+@[^\s@"'<>]+/g, '[email]').replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')
}
