// In-process fake of Infobip (Forms API, Moments Flow API, legacy Flow API, auth) for sandbox mode
// and tests. It is a web-standard fetch handler: give `fake.fetch` to ky, or serve it on loopback.
import type { SandboxInfobipOptions, SandboxUpstream } from '../proxy/upstreams/sandbox'
import { AuthState } from './infobip/auth'
import type { InfobipCredentials } from './infobip/auth'
import { FaultQueue, injectedFault, passesThrough, RejectionQueue } from './faults'
import type { FaultMatch, FaultResponse, MomentsRejection } from './faults'
import { FlowStore } from './infobip/flows'
import { generalError, tooManyRequests, unauthorized } from './infobip/http'
import { PeopleStore } from './infobip/people'
import type { StoredPerson } from './infobip/people'
import { RateLimiter } from './infobip/rate-limit'
import { route } from './infobip/router'
import { SANDBOX_SEED, defaultFlows, defaultForms } from './infobip/seed'
import type { FormStatus, SeedForm, SeedFlow } from './infobip/seed'
import { reportOf } from './infobip/state'
import type { FlowOperation, FlowParticipantsReport, FormSubmission, SandboxState } from './infobip/state'

export { SANDBOX_SEED, defaultFlows, defaultForms }
export type { FaultMatch, FaultResponse, MomentsRejection } from './faults'
export { MOMENTS_REJECTIONS } from './faults'
export type { InfobipCredentials } from './infobip/auth'
export type { StoredPerson } from './infobip/people'
export type { SeedFormElement, FormStatus, SeedForm, SeedFlow } from './infobip/seed'
export type { FlowParticipantsReport, FormSubmission, ParticipantOutcome, RejectReason } from './infobip/state'

/** The proxy passes the SandboxInfobipOptions on in sandbox mode; tests use the rest too. */
export interface InfobipFakeOptions extends SandboxInfobipOptions {
  /** Flows (campaigns); default: `defaultFlows()`. */
  flows?: SeedFlow[]
  /** Forms; default: `defaultForms()`. */
  forms?: SeedForm[]
  /** When set, only these credentials authenticate; by default any non-empty credential does. */
  credentials?: InfobipCredentials
  now?: () => number
  /** Whether form submissions create/update People profiles, as Infobip does; default true. */
  formsCreatePeople?: boolean
  /** Called with internal errors that were answered with 500; default: console.error. */
  onError?: (error: unknown) => void
}

export interface RecordedCall {
  method: string
  path: string
  /** Query string including `?`, or ''. */
  search: string
  at: number
  /** Status answered; absent while in flight or when the call ended in a network error. */
  status?: number
}

export interface FlowParticipantView {
  person: StoredPerson
  variables: Record<string, unknown>
  addedAt: number
  via: 'moments' | 'legacy'
}

export interface InfobipFake extends SandboxUpstream {
  fetch(input: Request | URL | string, init?: RequestInit): Promise<Response>
  /** Snapshot of every People profile. */
  readonly people: StoredPerson[]
  /** Snapshot of every call received, oldest first. */
  readonly requests: RecordedCall[]
  readonly requestCount: number
  flowParticipants(campaignId: string | number): FlowParticipantView[]
  formSubmissions(formId: string): FormSubmission[]
  viewCount(formId: string): number
  /** The report as `GET .../participants/report` would answer it now. */
  report(operationId: string): FlowParticipantsReport | undefined
  failNext(match: FaultMatch, response: FaultResponse, times?: number): void
  /**
   * The next Moments participants (or the next ones with this identifier) are REJECTED with
   * `reason`, any of the seven the spec names, whatever their data.
   */
  rejectNext(reason: MomentsRejection, options?: { identifier?: string; times?: number }): void
  setFlowStatus(campaignId: string | number, status: SeedFlow['status']): void
  setFormStatus(formId: string, status: FormStatus): void
  /** Resolves when every scheduled notifyUrl callback has run. */
  settled(): Promise<void>
  /**
   * Forgets people, flow participants, submissions, views, operations, the call log, pending faults
   * and rate-limit windows. Forms, flows and their statuses stay, and so do auth sessions.
   */
  reset(): void
}

const created = new WeakMap<SandboxUpstream, InfobipFake>()

/**
 * The fake behind a sandbox runtime's `fake`, with its test levers; null for null (live mode).
 * The proxy knows it only as a SandboxUpstream, since production code does not import the fakes.
 */
export function infobipFakeOf(sandbox: SandboxUpstream | null): InfobipFake | null {
  if (sandbox === null) {
    return null
  }
  const fake = created.get(sandbox)
  if (!fake) {
    throw new TypeError('not an in-process Infobip fake')
  }
  return fake
}

async function postJson(url: string, body: unknown): Promise<void> {
  try {
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  } catch {
    // A dead callback endpoint must not disturb the fake; Infobip does not report it either.
  }
}

/**
 * Get form, views and data declare only the API-key scheme (`security: [{APIKeyHeader: []}]`); every
 * other operation the fake serves takes all four. The real service may be kinder; the sandbox
 * holds the proxy to what is promised.
 */
const API_KEY_ONLY = /^\/forms\/1\/forms\/[^/]+(\/views|\/data)?$/

function schemeAllowed(path: string, authorization: string | null): boolean {
  return !API_KEY_ONLY.test(path) || /^app\s/i.test(authorization?.trim() ?? '')
}

export function createInfobipFake(options: InfobipFakeOptions = {}): InfobipFake {
  const now = options.now ?? Date.now
  const onError = options.onError ?? ((error: unknown) => console.error('[infobip-fake] internal error', error))
  const notify = options.notify ?? postJson
  const pending = new Set<Promise<void>>()
  const state: SandboxState = {
    now,
    people: new PeopleStore(now),
    flows: new FlowStore(options.flows ?? defaultFlows()),
    forms: new Map((options.forms ?? defaultForms()).map((f) => [f.id, structuredClone(f)])),
    views: new Map(),
    submissions: new Map(),
    operations: new Map<string, FlowOperation>(),
    reportDelayMs: options.reportDelayMs ?? 0,
    knownCustomAttributes: options.knownCustomAttributes ? new Set(options.knownCustomAttributes) : undefined,
    rejections: new RejectionQueue(),
    formsCreatePeople: options.formsCreatePeople ?? true,
    notify: async (url, body) => {
      try {
        await notify(url, body)
      } catch {
        // Same as the default: callback delivery is best effort.
      }
    },
    schedule(delayMs, task) {
      const run: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, delayMs))
        .then(task)
        .catch(onError)
        .finally(() => pending.delete(run))
      pending.add(run)
    },
  }
  const auth = new AuthState(options.credentials, now)
  const limiter = new RateLimiter(options.rateLimitPerSecond, now)
  const faults = new FaultQueue()
  const calls: RecordedCall[] = []

  async function handle(request: Request, call: RecordedCall): Promise<Response> {
    const injected = await injectedFault(faults, call.method, call.path, request.signal)
    if (injected) {
      return injected
    }
    const url = new URL(request.url)
    const authAnswer = await auth.handle(request, url.pathname)
    if (authAnswer) {
      return authAnswer
    }
    const account = auth.authenticate(request.headers.get('authorization'))
    if (account === undefined || !schemeAllowed(url.pathname, request.headers.get('authorization'))) {
      return unauthorized()
    }
    if (!limiter.allow(account)) {
      return tooManyRequests()
    }
    return route(state, request, url)
  }

  async function fakeFetch(input: Request | URL | string, init?: RequestInit): Promise<Response> {
    // Invalid input rejects exactly as global fetch would.
    const request = input instanceof Request && init === undefined ? input : new Request(input, init)
    const url = new URL(request.url)
    const call: RecordedCall = { method: request.method, path: url.pathname, search: url.search, at: 0 }
    calls.push(call)
    try {
      call.at = now()
      const response = await handle(request, call)
      call.status = response.status
      return response
    } catch (error) {
      if (passesThrough(error, request.signal)) {
        throw error
      }
      onError(error)
      call.status = 500
      return generalError()
    }
  }

  const fake: InfobipFake = {
    fetch: fakeFetch,
    get people() {
      return structuredClone(state.people.all())
    },
    get requests() {
      return calls.map((c) => ({ ...c }))
    },
    get requestCount() {
      return calls.length
    },
    flowParticipants(campaignId) {
      return state.flows.participants(String(campaignId)).flatMap((p) => {
        const person = state.people.get(p.personId)
        return person ? [structuredClone({ person, variables: p.variables, addedAt: p.addedAt, via: p.via })] : []
      })
    },
    formSubmissions(formId) {
      return structuredClone(state.submissions.get(formId) ?? [])
    },
    viewCount(formId) {
      return state.views.get(formId) ?? 0
    },
    report(operationId) {
      const operation = state.operations.get(operationId)
      return operation ? reportOf(operation, now(), state.reportDelayMs) : undefined
    },
    failNext(match, response, times = 1) {
      faults.add(match, response, times)
    },
    rejectNext(reason, options = {}) {
      state.rejections.add(reason, options.identifier, options.times ?? 1)
    },
    setFlowStatus(campaignId, status) {
      state.flows.setStatus(String(campaignId), status)
    },
    setFormStatus(formId, status) {
      const form = state.forms.get(formId)
      if (!form) {
        throw new Error(`Unknown form ${formId}`)
      }
      form.formStatus = status
    },
    async settled() {
      while (pending.size > 0) {
        await Promise.all([...pending])
      }
    },
    reset() {
      state.people.clear()
      state.flows.clearParticipants()
      state.views.clear()
      state.submissions.clear()
      state.operations.clear()
      calls.length = 0
      faults.clear()
      state.rejections.clear()
      limiter.clear()
    },
  }
  created.set(fake, fake)
  return fake
}
