// The in-memory account every sandbox route reads and writes.
import type { RejectionQueue } from './rejections'
import type { FlowStore } from './flows'
import type { StoredPerson, PeopleStore, PersonPayload } from './people'
import type { SeedForm } from './seed'

export type ChannelType = 'EMAIL' | 'PHONE' | 'FACEBOOK' | 'LINE' | 'APPLE_BUSINESS_CHAT'

export interface ChannelIdentity {
  identifier: string
  type: ChannelType
  sender?: string
}

export type RejectReason =
  | 'REJECTED_INVALID_CONTACT'
  | 'REJECTED_ATTRIBUTE_MISSED'
  | 'REJECTED_PERSON_IN_FLOW'
  | 'REJECTED_PERSON_NOT_ALLOWED_TO_REENTER'
  | 'REJECTED_FLOW_ERROR_UNKNOWN'
  | 'REJECTED_NOT_ENOUGH_CREDITS'
  | 'REJECTED_CDP_ERROR_UNKNOWN'

export interface ParticipantOutcome {
  identifyBy: ChannelIdentity
  status: 'ACCEPTED' | 'REJECTED'
  errorReason?: RejectReason
}

export interface FlowOperation {
  operationId: string
  campaignId: string
  callbackData?: string
  notifyUrl?: string
  createdAt: number
  outcomes: ParticipantOutcome[]
}

/** `GET /moments/1/flows/{campaignId}/participants/report` body. */
export interface FlowParticipantsReport {
  operationId: string
  campaignId: number
  callbackData?: string
  participants: {
    identifyBy: ChannelIdentity
    status: 'PENDING' | 'ACCEPTED' | 'REJECTED'
    errorReason?: RejectReason
  }[]
}

export interface FormSubmission {
  formId: string
  values: Record<string, unknown>
  /** `ib-submission-source` header, if sent. */
  source?: string
  /** `ib-submission-form-campaign` header, if sent. */
  campaign?: string
  contentType: string
  receivedAt: number
}

export interface SandboxState {
  now: () => number
  people: PeopleStore
  flows: FlowStore
  forms: Map<string, SeedForm>
  views: Map<string, number>
  submissions: Map<string, FormSubmission[]>
  operations: Map<string, FlowOperation>
  reportDelayMs: number
  knownCustomAttributes: ReadonlySet<string> | undefined
  /** Rejections scripted by the test (InfobipFake.rejectNext). */
  rejections: RejectionQueue
  formsCreatePeople: boolean
  /** Runs `task` later without ever letting its failure escape; tests can await all of them. */
  schedule(delayMs: number, task: () => Promise<void>): void
  notify(url: string, body: unknown): Promise<void>
}

/**
 * Creates or updates the profile the data identifies. When its identifiers point at several
 * profiles, People merges them into the oldest; flow memberships follow the survivor.
 */
export function upsertPerson(
  state: SandboxState,
  data: PersonPayload,
  origin: StoredPerson['origin'],
  alsoMatched?: StoredPerson,
): StoredPerson {
  const matched = state.people.matching(data)
  if (alsoMatched && !matched.some((p) => p.id === alsoMatched.id)) {
    matched.push(alsoMatched)
    matched.sort((a, b) => a.id - b.id)
  }
  const [target, ...others] = matched
  if (!target) {
    return state.people.create(data, origin)
  }
  state.people.merge(target, others)
  for (const other of others) {
    state.flows.reassign(other.id, target.id)
  }
  state.people.update(target, data)
  return target
}

/**
 * The report at `at`. Participants turn final one by one, as Infobip processes them: the i-th of n
 * at createdAt + delayMs·(i+1)/n, so the last one at createdAt + delayMs.
 */
export function reportOf(operation: FlowOperation, at: number, delayMs: number): FlowParticipantsReport {
  const count = operation.outcomes.length
  return {
    operationId: operation.operationId,
    campaignId: Number(operation.campaignId),
    ...(operation.callbackData === undefined ? {} : { callbackData: operation.callbackData }),
    participants: operation.outcomes.map((o, i) =>
      at < operation.createdAt + (delayMs * (i + 1)) / count
        ? { identifyBy: { ...o.identifyBy }, status: 'PENDING' as const }
        : {
            identifyBy: { ...o.identifyBy },
            status: o.status,
            ...(o.errorReason === undefined ? {} : { errorReason: o.errorReason }),
          },
    ),
  }
}
