import { DEFAULTS } from '../../config/defaults'
import ky, { HTTPError, type KyInstance, type Options } from 'ky'
import * as z from 'zod'
import { isNetworkFailure } from '../errors'
import { NO_REDIRECTS, redirectRefused } from '../redirect'
import { retryAfterSeconds } from '../retry-after'
import { RapidproHttpError, RapidproNetworkError, RapidproResponseError } from './errors'
import { provisionalWorkspace, type RapidproScope, type RapidproThrottle, sharedRapidproThrottle } from './throttle'
import { type ContactWrite, page, RapidproContact, RapidproField, type RapidproFieldType, RapidproGroup } from './types'

export interface RapidproClientOptions {
  /** The RapidPro host, e.g. `https://rapidpro.example.org` (a trailing `/api/v2` is tolerated). */
  baseUrl: string
  token: string
  /** Injected in sandbox mode (the in-process fake) and in tests. */
  fetch?: typeof fetch
  timeoutMs?: number
  /** The workspace budgets to book calls in; default: the process-wide one (throttle.ts). */
  throttle?: RapidproThrottle
}

const CONTACTS = 'api/v2/contacts.json'
const CONTACT_ACTIONS = 'api/v2/contact_actions.json'
const FIELDS = 'api/v2/fields.json'
const GROUPS = 'api/v2/groups.json'
/** A safety stop for a server whose `next` never ends. */
const MAX_PAGES = 1_000

type Method = 'get' | 'post' | 'delete'

/**
 * A thin typed client for the RapidPro API v2 endpoints Flowform uses. It never retries: the
 * outbox decides, and a repeated create could make a second contact or field.
 */
export class RapidproClient {
  readonly #http: KyInstance
  readonly #authorization: string
  readonly #throttle: RapidproThrottle
  readonly #host: string
  /** The budget key: host and token hash until RapidPro names the workspace (X-Temba-Workspace). */
  #workspace: string

  constructor(options: RapidproClientOptions) {
    this.#authorization = `Token ${options.token}`
    this.#throttle = options.throttle ?? sharedRapidproThrottle
    this.#host = options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v2$/, '')
    this.#workspace = provisionalWorkspace(this.#host, options.token)
    this.#http = ky.create({
      prefixUrl: this.#host,
      timeout: options.timeoutMs ?? DEFAULTS.upstreamTimeoutMs,
      retry: 0,
      throwHttpErrors: true,
      headers: { accept: 'application/json' },
      ...NO_REDIRECTS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
  }

  /**
   * Creates the contact that has `urn`, or updates it: 201 created, 200 updated. Only the keys in
   * `body` change. RapidPro refuses `urns` next to `?urn=`, so the type and a runtime check keep it out.
   */
  async upsertContact(
    urn: string,
    body: ContactWrite,
    options: { timeoutMs?: number } = {},
  ): Promise<{ created: boolean; contact: RapidproContact }> {
    if ('urns' in body) {
      throw new TypeError('`urns` cannot be sent when the contact is looked up by `?urn=`')
    }
    const response = await this.#send('post', CONTACTS, {
      searchParams: { urn },
      json: body,
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    })
    return { created: response.status === 201, contact: await this.#parse('post', CONTACTS, response, RapidproContact) }
  }

  /** Updates the contact with this UUID; `urns` here replaces the contact's URNs. 404 when unknown. */
  async updateContact(uuid: string, body: ContactWrite & { urns?: string[] }): Promise<RapidproContact> {
    if (!isContactUuid(uuid)) {
      // Always one RapidPro answered with; anything else is a bug here, and RapidPro would answer 400.
      throw new TypeError('updateContact needs a contact UUID')
    }
    const response = await this.#send('post', CONTACTS, { searchParams: { uuid }, json: body })
    return this.#parse('post', CONTACTS, response, RapidproContact)
  }

  async getContact(lookup: { uuid: string } | { urn: string }): Promise<RapidproContact | null> {
    if ('uuid' in lookup && !isContactUuid(lookup.uuid)) {
      // No contact has it, and RapidPro would answer 400 rather than an empty list.
      return null
    }
    const response = await this.#send('get', CONTACTS, { searchParams: lookup })
    const answer = await this.#parse('get', CONTACTS, response, page(RapidproContact))
    return answer.results[0] ?? null
  }

  /** 204 → deleted, 404 → not_found. */
  async deleteContact(urn: string): Promise<'deleted' | 'not_found'> {
    try {
      await this.#send('delete', CONTACTS, { searchParams: { urn } })
      return 'deleted'
    } catch (error) {
      if (error instanceof RapidproHttpError && error.status === 404) {
        return 'not_found'
      }
      throw error
    }
  }

  /**
   * Adds contacts (UUIDs) to a manual group (name or UUID) without touching their other groups,
   * which `groups` on a contact update would replace.
   */
  async addToGroup(contacts: string[], group: string): Promise<void> {
    await this.#send('post', CONTACT_ACTIONS, { json: { contacts, action: 'add', group } })
  }

  listFields(): Promise<RapidproField[]> {
    return this.#list(FIELDS, RapidproField)
  }

  /**
   * Creates a contact field; RapidPro derives its key from the name. Servers that predate
   * `name`/`type` ask for the legacy `label`/`value_type`, which is then sent instead.
   */
  async createField(name: string, type: RapidproFieldType): Promise<RapidproField> {
    try {
      const response = await this.#send('post', FIELDS, { json: { name, type } })
      return await this.#parse('post', FIELDS, response, RapidproField)
    } catch (error) {
      if (!(
        error instanceof RapidproHttpError &&
        error.status === 400 &&
        error.issues.some((i) => i.field === 'label' || i.field === 'value_type')
      )) {
        throw error
      }
    }
    const response = await this.#send('post', FIELDS, {
      json: { label: name, value_type: type === 'number' ? 'numeric' : type },
    })
    return this.#parse('post', FIELDS, response, RapidproField)
  }

  listGroups(): Promise<RapidproGroup[]> {
    return this.#list(GROUPS, RapidproGroup)
  }

  async createGroup(name: string): Promise<RapidproGroup> {
    const response = await this.#send('post', GROUPS, { json: { name } })
    return this.#parse('post', GROUPS, response, RapidproGroup)
  }

  /** Budgets of clients of one workspace are one, whichever token or host name they use. */
  #learnWorkspace(response: Response): void {
    const workspace = response.headers.get('x-temba-workspace')?.trim().toLowerCase()
    if (workspace && UUID.test(workspace)) {
      const key = `${this.#host}#${workspace}`
      if (key !== this.#workspace) {
        this.#throttle.alias(this.#workspace, key)
        this.#workspace = key
      }
    }
  }

  /** Follows `next` cursors; only their query is used, so a list never leaves the configured host. */
  async #list<T extends z.ZodType>(path: string, item: T): Promise<z.infer<T>[]> {
    const results: z.infer<T>[] = []
    let searchParams: URLSearchParams | undefined
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const response = await this.#send('get', path, searchParams ? { searchParams } : {})
      const answer = await this.#parse('get', path, response, page(item))
      results.push(...(answer.results as z.infer<T>[]))
      if (!answer.next) {
        return results
      }
      try {
        searchParams = new URL(answer.next).searchParams
      } catch {
        throw new RapidproResponseError('GET', `/${path}`, response.status, `"next" is not a URL`)
      }
    }
    throw new RapidproResponseError('GET', `/${path}`, 200, `more than ${MAX_PAGES} pages`)
  }

  async #parse<T extends z.ZodType>(method: Method, path: string, response: Response, schema: T): Promise<z.infer<T>> {
    const body: unknown = await response.json().catch(() => undefined)
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new RapidproResponseError(method.toUpperCase(), `/${path}`, response.status, z.prettifyError(parsed.error))
    }
    return parsed.data
  }

  async #send(method: Method, path: string, options: Options): Promise<Response> {
    const headers = { ...(options.headers as Record<string, string> | undefined), authorization: this.#authorization }
    const scope: RapidproScope = path === CONTACTS ? 'contacts' : 'other'
    // Throws RapidproThrottledError (held back, no attempt spent) when the workspace's budget is spent.
    this.#throttle.take(this.#workspace, scope)
    try {
      const response = await this.#http(path, { ...options, method, headers })
      this.#learnWorkspace(response)
      return response
    } catch (error) {
      if (error instanceof HTTPError) {
        this.#learnWorkspace(error.response)
        const text = await error.response.text().catch(() => '')
        const redirect = redirectRefused(error.response)
        // A 429 all the same (another client spent the workspace's budget): this delivery is
        // retried after its Retry-After, and the others in the scope wait as long (throttle.ts pause).
        const wait = retryAfterSeconds(error.response.headers.get('retry-after'))
        if (error.response.status === 429) {
          this.#throttle.pause(this.#workspace, scope, (wait ?? 1) * 1_000)
        }
        throw new RapidproHttpError(
          method.toUpperCase(),
          `/${path}`,
          error.response.status,
          redirect ? { detail: redirect.message } : parseBody(text),
          wait,
        )
      }
      if (isNetworkFailure(error)) {
        // Timeouts and refused connections alike: nothing usable came back.
        throw new RapidproNetworkError(method.toUpperCase(), `/${path}`, { cause: error })
      }
      // Our own mistake (a bad header, a bug): calling it an outage would retry it forever.
      throw error
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether RapidPro's `?uuid=` takes this value: anything else is a 400 "is not a valid UUID". */
export function isContactUuid(value: string): boolean {
  return UUID.test(value)
}

function parseBody(text: string): unknown {
  if (text.trim() === '') {
    return undefined
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
