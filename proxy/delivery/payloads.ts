import { z } from 'zod'
import { FlowConfig } from '../config/schema'

/**
 * What each kind of delivery carries in the outbox, and what an attempt leaves behind for the
 * next one (its state). Rows are JSON written by this or an older version, so they are parsed on
 * read against these schemas instead of being trusted: a row that does not parse is failed for
 * the operator (outbox.ts), never handed to an upstream.
 */

export const DELIVERY_TARGETS = ['form-data', 'flow', 'rapidpro'] as const
export const DeliveryTarget = z.enum(DELIVERY_TARGETS)
export type DeliveryTarget = z.infer<typeof DeliveryTarget>

const FieldValue = z.union([z.string(), z.boolean(), z.array(z.string())])
const Attribute = z.union([z.string(), z.number(), z.boolean()])

/** Infobip People data as person.ts maps it (upstreams/infobip/types.ts `Person`). */
const Person = z.object({
  externalId: z.string().exactOptional(),
  firstName: z.string().exactOptional(),
  lastName: z.string().exactOptional(),
  middleName: z.string().exactOptional(),
  address: z.string().exactOptional(),
  city: z.string().exactOptional(),
  country: z.string().exactOptional(),
  gender: z.enum(['MALE', 'FEMALE']).exactOptional(),
  birthDate: z.string().exactOptional(),
  preferredLanguage: z.string().exactOptional(),
  tags: z.array(z.string()).exactOptional(),
  customAttributes: z.record(z.string(), Attribute).exactOptional(),
  contactInformation: z
    .object({
      email: z.array(z.object({ address: z.string() })).exactOptional(),
      phone: z.array(z.object({ number: z.string() })).exactOptional(),
    })
    .exactOptional(),
})

/** A signup as Infobip people data (signup/person.ts maps it), with how to reach the person. */
const PersonData = z.object({
  person: Person,
  email: z.string().exactOptional(),
  phone: z.string().exactOptional(),
  /** Submission key that carried the email / phone, so an upstream complaint lands on the right field. */
  emailField: z.string().exactOptional(),
  phoneField: z.string().exactOptional(),
  /** Submission key of every other person attribute (`birthDate` → "dob"), for Infobip's 40003. */
  fieldsByAttribute: z.record(z.string(), z.string()).exactOptional(),
})
export type PersonData = z.infer<typeof PersonData>

/** Infobip Forms API: the submission's values as the form data endpoint takes them. */
export const FormDataPayload = z.object({
  infobipFormId: z.string(),
  data: z.record(z.string(), FieldValue),
  /** The form's field names, to find the field an Infobip 400 complains about. */
  fieldIds: z.array(z.string()),
  source: z.string().exactOptional(),
  campaign: z.string().exactOptional(),
})
export type FormDataPayload = z.infer<typeof FormDataPayload>

/** A flow enrolment, Moments or legacy, as the form's config says. */
export const FlowPayload = z.object({ flow: FlowConfig, personData: PersonData })
export type FlowPayload = z.infer<typeof FlowPayload>

/** upstreams/rapidpro/contact.ts `RapidproContactPlan`. */
const RapidproContactPlan = z.object({
  urn: z.string().nullable(),
  urns: z.array(z.string()),
  body: z.object({
    name: z.string().exactOptional(),
    language: z.string().exactOptional(),
    fields: z.record(z.string(), z.string()).exactOptional(),
  }),
  groups: z.array(z.string()),
  defaultLanguage: z.string().exactOptional(),
  emailField: z.string().exactOptional(),
  phoneField: z.string().exactOptional(),
})

export const RapidproPayload = z.object({
  contact: RapidproContactPlan,
  /** RapidPro's outcome is what the person is told: the form has no flow to decide. */
  decides: z.boolean(),
})
export type RapidproPayload = z.infer<typeof RapidproPayload>

/** A Moments enrolment under way: the add is queued (`adding`), or its operation is being followed. */
export const FlowState = z.object({
  operationId: z.string().exactOptional(),
  addedAt: z.number().exactOptional(),
  adding: z.boolean().exactOptional(),
})
export type FlowState = z.infer<typeof FlowState>

/**
 * Left to do once a RapidPro contact is saved: groups are added one by one (a contact write with
 * `groups` would replace the contact's other groups), and missing URNs or the default language
 * are set by UUID (`urns` is not allowed next to `?urn=`).
 */
export const RapidproFollowUp = z.object({
  saved: z.literal(true),
  uuid: z.string(),
  groups: z.array(z.string()),
  update: z.boolean(),
})
export type RapidproFollowUp = z.infer<typeof RapidproFollowUp>
/** Before the contact is saved there is nothing to carry over. */
export type RapidproState = RapidproFollowUp | { saved?: undefined }

/** Form data is one call: nothing carries over between attempts. */
export type FormDataState = Record<string, never>

/** What an attempt that is not over yet leaves for the next one. */
export type DeliveryState = FlowState | RapidproState

interface ByTarget {
  'form-data': { payload: FormDataPayload; state: FormDataState }
  flow: { payload: FlowPayload; state: FlowState }
  rapidpro: { payload: RapidproPayload; state: RapidproState }
}
export type PayloadOf<T extends DeliveryTarget> = ByTarget[T]['payload']
export type StateOf<T extends DeliveryTarget> = ByTarget[T]['state']

/** A payload with its target, as signup/plan.ts plans them and outbox.ts stores them. */
export type PlannedDelivery =
  | { target: 'form-data'; payload: FormDataPayload }
  | { target: 'flow'; payload: FlowPayload }
  | { target: 'rapidpro'; payload: RapidproPayload }

/** Just a delivery's target and data (null once dropped), e.g. to tell whom it concerns. */
export type DeliveryData = { [T in DeliveryTarget]: { target: T; payload: PayloadOf<T> | null } }[DeliveryTarget]

/** The fields every delivery has, whatever its target. */
export interface DeliveryFields {
  id: number
  submissionId: string
  formId: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
  /** How often the operator sent it back from failed (`npx flowform outbox retry`). */
  operatorRetries: number
}

export type DeliveryStatus = 'pending' | 'awaiting' | 'done' | 'failed' | 'rejected'

type Variant<T extends DeliveryTarget, Dropped> = DeliveryFields & {
  target: T
  payload: PayloadOf<T> | Dropped
  state: StateOf<T>
}

/** A delivery with its data, typed by its target: what the worker and the dispatcher get. */
export type Delivery = Variant<'form-data', never> | Variant<'flow', never> | Variant<'rapidpro', never>

/**
 * A delivery as the operator sees it: finished and stopped deliveries have had their data
 * dropped, and a row that no longer parses shows without it (`payload: null`).
 */
export type DeliveryRecord = (Variant<'form-data', null> | Variant<'flow', null> | Variant<'rapidpro', null>) & {
  /** How a done delivery ended ('enrolled', 'already_enrolled'): what stays once its data is dropped. */
  result?: string | undefined
}

/** The raw columns read back from storage, before parsing. */
export interface StoredColumns extends DeliveryFields {
  target: string
  payload: unknown
  state: unknown
}

export type ParseResult = { ok: true; delivery: Delivery } | { ok: false; reason: string }

/** Parses a stored row into a typed delivery; the reason names what is wrong, never the data. */
export function parseDelivery(row: StoredColumns): ParseResult {
  const { target, payload, state, ...fields } = row
  const known = DeliveryTarget.safeParse(target)
  if (!known.success) {
    return { ok: false, reason: `unreadable delivery: unknown target "${target}"` }
  }
  const parsedState = parseState(known.data, state)
  switch (known.data) {
    case 'form-data': {
      const parsed = FormDataPayload.safeParse(payload)
      return parsed.success
        ? { ok: true, delivery: { ...fields, target: 'form-data', payload: parsed.data, state: {} } }
        : unreadable(target, parsed.error)
    }
    case 'flow': {
      const parsed = FlowPayload.safeParse(payload)
      return parsed.success
        ? { ok: true, delivery: { ...fields, target: 'flow', payload: parsed.data, state: parsedState.flow } }
        : unreadable(target, parsed.error)
    }
    case 'rapidpro': {
      const parsed = RapidproPayload.safeParse(payload)
      return parsed.success
        ? { ok: true, delivery: { ...fields, target: 'rapidpro', payload: parsed.data, state: parsedState.rapidpro } }
        : unreadable(target, parsed.error)
    }
  }
}

/** A row for the operator's eyes: its data when it parses, else null; undefined for an unknown target. */
export function parseRecord(row: StoredColumns): DeliveryRecord | undefined {
  const record = parseData(row)
  const done = DoneState.safeParse(row.state)
  return record && done.success && done.data.result !== undefined ? { ...record, result: done.data.result } : record
}

/** What complete() leaves in the state column. */
const DoneState = z.object({ result: z.string().exactOptional() })

function parseData(row: StoredColumns): DeliveryRecord | undefined {
  const parsed = parseDelivery(row)
  if (parsed.ok) {
    return parsed.delivery
  }
  const known = DeliveryTarget.safeParse(row.target)
  if (!known.success) {
    return undefined
  }
  const { target: _target, payload: _payload, state: _state, ...fields } = row
  switch (known.data) {
    case 'form-data':
      return { ...fields, target: 'form-data', payload: null, state: {} }
    case 'flow':
      return { ...fields, target: 'flow', payload: null, state: {} }
    case 'rapidpro':
      return { ...fields, target: 'rapidpro', payload: null, state: {} }
  }
}

/** State is advisory (how far an attempt got): an unreadable one restarts the attempt from scratch. */
function parseState(target: DeliveryTarget, state: unknown): { flow: FlowState; rapidpro: RapidproState } {
  const flow = target === 'flow' ? FlowState.safeParse(state) : undefined
  const rapidpro = target === 'rapidpro' ? RapidproFollowUp.safeParse(state) : undefined
  return {
    flow: flow?.success ? flow.data : {},
    rapidpro: rapidpro?.success ? rapidpro.data : {},
  }
}

function unreadable(target: string, error: z.ZodError): ParseResult {
  const paths = [...new Set(error.issues.map((issue) => issue.path.join('.') || '(root)'))].slice(0, 5)
  return { ok: false, reason: `unreadable ${target} payload (${paths.join(', ')}); it cannot be delivered as stored` }
}
