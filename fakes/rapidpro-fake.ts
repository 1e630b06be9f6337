// In-process fake of RapidPro's API v2 (contacts, contact actions, fields, groups) for sandbox mode
// and tests. It is a web-standard fetch handler: give `fake.fetch` to ky, or serve it on loopback.
// Semantics follow temba/api/v2 (see shared/reference/upstream-apis.md section 4).
import type { SandboxRapidproOptions, SandboxUpstream } from '../proxy/upstreams/sandbox'
import { contactAction, deleteContact, listContacts, writeContact } from './rapidpro/contacts'
import { deleteGroup, listFields, listGroups, writeField, writeGroup } from './rapidpro/catalog'
import { detail, methodNotAllowed, notFound } from './rapidpro/http'
import {
  contactJson,
  type ContactJson,
  defaultRapidproFields,
  defaultRapidproGroups,
  fieldJson,
  type FieldJson,
  type FakeLimits,
  groupJson,
  type GroupJson,
  RAPIDPRO_SANDBOX_SEED,
  type RapidproState,
  type SeedField,
  type SeedGroup,
  seedFields,
  seedGroups,
} from './rapidpro/state'
import { identityOf, normaliseUrn } from './rapidpro/urns'
import { FaultQueue, type FaultMatch, type FaultResponse, injectedFault, passesThrough } from './faults'

export { RAPIDPRO_SANDBOX_SEED, defaultRapidproFields, defaultRapidproGroups }
export type { ContactJson, FieldJson, GroupJson, SeedField, SeedGroup } from './rapidpro/state'
export type { FaultMatch, FaultResponse } from './faults'

/** The proxy passes the SandboxRapidproOptions on in sandbox mode; tests use the rest too. */
export interface RapidproFakeOptions extends SandboxRapidproOptions {
  /** When set, only this API token authenticates; by default any non-empty token does. */
  token?: string
  /** Default: `defaultRapidproGroups()` ("Newsletter", "VIP"). */
  groups?: SeedGroup[]
  /** Default: `defaultRapidproFields()` ("consent"). */
  fields?: SeedField[]
  /** Workspace limits (RapidPro's default: 250 fields, 250 groups); past them creation answers 409. */
  limits?: Partial<FakeLimits>
  /**
   * RapidPro's throttle (temba OrgUserRateThrottle): per workspace, whatever the token, in two
   * budgets: `contacts` for contacts.json ("v2.contacts"), `other` for every other endpoint ("v2":
   * contact_actions, fields, groups). Default: 3,600 an hour each, RapidPro's DEFAULT_THROTTLE_RATES.
   * `rateLimit` sets both budgets at once.
   */
  rates?: Partial<Record<ThrottleScope, { requests: number; windowSeconds: number }>>
  rateLimit?: { requests: number; windowSeconds: number }
  /** The workspace's default country for numbers typed without a country code; none by default. */
  country?: string
  /** The workspace's UUID, answered in X-Temba-Workspace. */
  workspaceUuid?: string
  /** Items per page of every list; default 250. */
  pageSize?: number
  now?: () => number
  /** Called with internal errors that were answered with 500; default: console.error. */
  onError?: (error: unknown) => void
}

export interface RapidproRecordedCall {
  method: string
  path: string
  /** Query string including `?`, or ''. */
  search: string
  authorization: string | null
  /** The body, parsed when it is JSON; undefined when there was none. */
  body: unknown
  /** Status answered; absent while in flight or when the call ended in a network error. */
  status?: number
}

export interface RapidproFake extends SandboxUpstream {
  fetch(input: Request | URL | string, init?: RequestInit): Promise<Response>
  /** Snapshots, as the API would list them. */
  readonly contacts: ContactJson[]
  readonly fields: FieldJson[]
  readonly groups: GroupJson[]
  /** Every call received, oldest first. */
  readonly requests: RapidproRecordedCall[]
  /** The contact that has this URN (normalised as RapidPro does), if any. */
  contact(urn: string): ContactJson | undefined
  failNext(match: FaultMatch, response: FaultResponse, times?: number): void
  /** Back to the seed: contacts, calls, faults and rate counters forgotten; fields and groups re-seeded. */
  reset(): void
}

const created = new WeakMap<SandboxUpstream, RapidproFake>()

/** The fake behind a sandbox runtime's `rapidproFake`, with its test levers; null for null. */
export function rapidproFakeOf(sandbox: SandboxUpstream | null): RapidproFake | null {
  if (sandbox === null) {
    return null
  }
  const fake = created.get(sandbox)
  if (!fake) {
    throw new TypeError('not an in-process RapidPro fake')
  }
  return fake
}

const AUTH_MISSING = 'Authentication credentials were not provided.'
const DEFAULT_WORKSPACE_UUID = 'b3f6e5c4-2a7d-4f51-9a0e-7c1d3e8b5a21'

/** The throttle scope of each endpoint: contacts.json has its own budget, the others share "v2". */
export type ThrottleScope = 'contacts' | 'other'
const HOURLY = { requests: 3_600, windowSeconds: 3_600 }

export function createRapidproFake(options: RapidproFakeOptions = {}): RapidproFake {
  const now = options.now ?? Date.now
  const onError = options.onError ?? ((error: unknown) => console.error('[rapidpro-fake] internal error', error))
  const seed = () => ({
    fields: seedFields(options.fields ?? defaultRapidproFields()),
    groups: seedGroups(options.groups ?? defaultRapidproGroups()),
  })
  const state: RapidproState = {
    now,
    country: options.country,
    pageSize: options.pageSize ?? 250,
    limits: { fields: options.limits?.fields ?? 250, groups: options.limits?.groups ?? 250 },
    contacts: new Map(),
    ...seed(),
  }
  const faults = new FaultQueue()
  const calls: RapidproRecordedCall[] = []
  const hits = new Map<string, number[]>()

  /**
   * The token the request acts for, or the refusal to answer. RapidPro's first authentication class
   * is the session one, which names no WWW-Authenticate, so DRF answers every refusal 403, not 401
   * (temba/api/support.py, temba/api/v2/tests/test_base.py).
   */
  function authenticate(header: string | null): { token: string } | { response: Response } {
    const match = /^(\S+) +(\S+)$/.exec(header?.trim() ?? '')
    const scheme = match?.[1]?.toLowerCase()
    if (scheme === 'token') {
      const token = match?.[2]
      if (!token || (options.token !== undefined && token !== options.token)) {
        return { response: detail(403, 'Invalid token') }
      }
      return { token }
    }
    if (scheme === 'basic') {
      // Basic auth with the user's email and the API token as password.
      const decoded = Buffer.from(match?.[2] ?? '', 'base64').toString('utf8')
      const token = decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : ''
      if (!token || (options.token !== undefined && token !== options.token)) {
        return { response: detail(403, 'Invalid token or email') }
      }
      return { token }
    }
    return { response: detail(403, AUTH_MISSING) }
  }

  /**
   * DRF's SimpleRateThrottle: the history of the workspace's requests in the scope's window; the
   * answer says how long until one more fits, as DRF's wait() computes it.
   */
  function throttle(scope: ThrottleScope): Response | undefined {
    const limit = options.rates?.[scope] ?? options.rateLimit ?? HOURLY
    const windowMs = limit.windowSeconds * 1000
    const t = now()
    const recent = (hits.get(scope) ?? []).filter((at) => at > t - windowMs)
    if (recent.length >= limit.requests) {
      hits.set(scope, recent)
      const remaining = (recent[0] ?? t) + windowMs - t
      const wait = Math.max(1, Math.ceil(remaining / 1000 / Math.max(1, limit.requests - recent.length + 1)))
      return detail(429, `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`, {
        'retry-after': String(wait),
      })
    }
    recent.push(t)
    hits.set(scope, recent)
    return undefined
  }

  function route(request: Request, url: URL): Response | Promise<Response> {
    const method = request.method
    switch (url.pathname) {
      case '/api/v2/contacts.json':
        if (method === 'GET') {
          return listContacts(state, url)
        }
        if (method === 'POST') {
          return writeContact(state, request, url)
        }
        return method === 'DELETE' ? deleteContact(state, url) : methodNotAllowed(method)
      case '/api/v2/contact_actions.json':
        return method === 'POST' ? contactAction(state, request) : methodNotAllowed(method)
      case '/api/v2/fields.json':
        if (method === 'GET') {
          return listFields(state, url)
        }
        return method === 'POST' ? writeField(state, request, url) : methodNotAllowed(method)
      case '/api/v2/groups.json':
        if (method === 'GET') {
          return listGroups(state, url)
        }
        if (method === 'POST') {
          return writeGroup(state, request, url)
        }
        return method === 'DELETE' ? deleteGroup(state, url) : methodNotAllowed(method)
      default:
        return notFound()
    }
  }

  async function handle(request: Request, url: URL): Promise<Response> {
    const injected = await injectedFault(faults, request.method, url.pathname, request.signal)
    if (injected) {
      return injected
    }
    const auth = authenticate(request.headers.get('authorization'))
    if ('response' in auth) {
      return auth.response
    }
    const scope: ThrottleScope = url.pathname === '/api/v2/contacts.json' ? 'contacts' : 'other'
    const response = throttle(scope) ?? (await route(request, url))
    response.headers.set('x-temba-workspace', options.workspaceUuid ?? DEFAULT_WORKSPACE_UUID)
    return response
  }

  async function fakeFetch(input: Request | URL | string, init?: RequestInit): Promise<Response> {
    // Invalid input rejects exactly as global fetch would.
    const request = input instanceof Request && init === undefined ? input : new Request(input, init)
    const url = new URL(request.url)
    const text = await request.clone().text()
    const call: RapidproRecordedCall = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      authorization: request.headers.get('authorization'),
      body: parseBody(text),
    }
    calls.push(call)
    try {
      const response = await handle(request, url)
      call.status = response.status
      return response
    } catch (error) {
      if (passesThrough(error, request.signal)) {
        throw error
      }
      onError(error)
      call.status = 500
      return new Response('<h1>Server Error (500)</h1>', { status: 500, headers: { 'content-type': 'text/html' } })
    }
  }

  const fake: RapidproFake = {
    fetch: fakeFetch,
    get contacts() {
      return [...state.contacts.values()].filter((c) => c.active).map((c) => contactJson(state, c))
    },
    get fields() {
      return state.fields.map(fieldJson)
    },
    get groups() {
      return state.groups.map((g) => groupJson(state, g))
    },
    get requests() {
      return calls.map((c) => ({ ...c }))
    },
    contact(urn) {
      const parsed = normaliseUrn(urn, state.country)
      const identity = parsed ? identityOf(parsed) : urn
      const found = [...state.contacts.values()].find((c) => c.active && c.urns.includes(identity))
      return found ? contactJson(state, found) : undefined
    },
    failNext(match, response, times = 1) {
      faults.add(match, response, times)
    },
    reset() {
      state.contacts.clear()
      Object.assign(state, seed())
      calls.length = 0
      faults.clear()
      hits.clear()
    },
  }
  created.set(fake, fake)
  return fake
}

function parseBody(text: string): unknown {
  if (text === '') {
    return undefined
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
