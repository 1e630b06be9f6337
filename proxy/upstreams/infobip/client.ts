import { DEFAULTS } from '../../config/defaults'
import ky, { HTTPError, type KyInstance, type Options } from 'ky'
import type * as z from 'zod'
import { isNetworkFailure } from '../errors'
import { NO_REDIRECTS, redirectRefused } from '../redirect'
import { parseRetryAfter } from '../retry-after'
import { type CallLimiter, rateLimitBackoffMs } from './account-limiter'
import type { InfobipAuthProvider } from './auth'
import { InfobipHttpError, InfobipNetworkError, parseInfobipErrorBody } from './errors'
import {
  InfobipForm,
  InfobipFormList,
  type MomentsParticipant,
  OperationAnswer,
  type Person,
  ParticipantsReport,
} from './types'

export interface InfobipClientOptions {
  baseUrl: string
  auth: InfobipAuthProvider
  /** Injected in sandbox mode (the in-process fake) and in tests. */
  fetch?: typeof fetch
  timeoutMs?: number
  /**
   * The account's shared limiter (account-limiter.ts). Every call waits for it and holds its slot
   * until answered; a 429 pauses it and the call is sent again: a 429 was not processed, so even a
   * POST to a flow is safe to repeat.
   */
  limiter?: CallLimiter
  /** 429 answers retried per call before the caller gets the 429; default 3. */
  rateLimitRetries?: number
}

/** A Retry-After longer than this is not waited out in-line: the caller gets the 429 (outbox retry). */
const MAX_INLINE_PAUSE_MS = 30_000

export type LegacyIdentifier =
  { email: string } | { phone: string } | { externalId: string } | { pushRegistrationId: string }

/**
 * A thin typed client for the Infobip endpoints Flowform uses. It repeats only calls the upstream
 * refused without processing (429, and 401 with a renewable session); anything else goes to the
 * callers, because a retried POST to a flow can enrol a person twice.
 */
export class InfobipClient {
  readonly #http: KyInstance
  readonly #auth: InfobipAuthProvider
  readonly #limiter: CallLimiter | undefined
  readonly #rateLimitRetries: number

  constructor(options: InfobipClientOptions) {
    this.#auth = options.auth
    this.#limiter = options.limiter
    this.#rateLimitRetries = options.rateLimitRetries ?? 3
    this.#http = ky.create({
      prefixUrl: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? DEFAULTS.upstreamTimeoutMs,
      retry: 0,
      throwHttpErrors: true,
      headers: { accept: 'application/json' },
      ...NO_REDIRECTS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
  }

  /** Ends a minted session (IBSSO) on shutdown; nothing to do for static credentials. */
  async close(): Promise<void> {
    await this.#auth.close?.()
  }

  getForm(id: string): Promise<InfobipForm> {
    return this.#json('get', `forms/1/forms/${encodeURIComponent(id)}`, {}, InfobipForm)
  }

  listForms(
    query: {
      offset?: number
      limit?: number
      formStatus?: string | undefined
      formType?: string | undefined
    } = {},
  ): Promise<InfobipFormList> {
    const searchParams = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
      string,
      string | number
    >
    return this.#json('get', 'forms/1/forms', { searchParams }, InfobipFormList)
  }

  /**
   * Counts a view, unless calls are already queueing for the account: a view is statistics, and on
   * a busy day the account's 10 calls a second belong to signups. Resolves false when dropped.
   */
  async incrementViews(id: string): Promise<boolean> {
    if (this.#limiter && this.#limiter.queued > 0) {
      return false
    }
    await this.#send('post', `forms/1/forms/${encodeURIComponent(id)}/views`, {})
    return true
  }

  async submitFormData(
    id: string,
    data: Record<string, unknown>,
    analytics: { source?: string | undefined; campaign?: string | undefined } = {},
  ): Promise<void> {
    const headers: Record<string, string> = {}
    const source = analytics.source ? headerValue(analytics.source) : ''
    const campaign = analytics.campaign ? headerValue(analytics.campaign) : ''
    if (source) {
      headers['ib-submission-source'] = source
    }
    if (campaign) {
      headers['ib-submission-form-campaign'] = campaign
    }
    await this.#send('post', `forms/1/forms/${encodeURIComponent(id)}/data`, { json: data, headers })
  }

  async addMomentsParticipants(
    campaignId: string,
    body: { participants: MomentsParticipant[]; notifyUrl?: string; callbackData?: string },
  ): Promise<string> {
    const answer = await this.#json(
      'post',
      `moments/1/flows/${campaignId}/participants`,
      { json: body },
      OperationAnswer,
    )
    return answer.operationId
  }

  getMomentsReport(campaignId: string, operationId: string): Promise<ParticipantsReport> {
    return this.#json(
      'get',
      `moments/1/flows/${campaignId}/participants/report`,
      { searchParams: { operationId } },
      ParticipantsReport,
    )
  }

  async addLegacyParticipant(
    campaignId: string,
    identifier: LegacyIdentifier | undefined,
    body: { personData?: Person; flowVariables?: Record<string, unknown> } | undefined,
  ): Promise<void> {
    await this.#send('post', `communication/1/flows/${campaignId}/participants`, {
      ...(identifier ? { searchParams: identifier as Record<string, string> } : {}),
      ...(body ? { json: body } : {}),
    })
  }

  async removeParticipant(
    campaignId: string,
    identifier: { email: string } | { phone: string } | { externalId: string },
  ): Promise<void> {
    await this.#send('delete', `communication/1/flows/${campaignId}/participants`, {
      searchParams: identifier as Record<string, string>,
    })
  }

  async #json<T extends z.ZodType>(
    method: 'get' | 'post',
    path: string,
    options: Options,
    schema: T,
  ): Promise<z.infer<T>> {
    const response = await this.#send(method, path, options)
    const body: unknown = await response.json().catch(() => undefined)
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new InfobipHttpError(
        method.toUpperCase(),
        path,
        response.status,
        'UNEXPECTED_BODY',
        parsed.error.message,
        undefined,
      )
    }
    return parsed.data
  }

  async #send(
    method: 'get' | 'post' | 'delete',
    path: string,
    options: Options,
    afterRefusal = false,
    rateLimited = 0,
  ): Promise<Response> {
    const authorization = await this.#auth.header()
    const headers = { ...(options.headers as Record<string, string> | undefined), authorization }
    const release = await this.#limiter?.acquire({ retry: rateLimited > 0 })
    try {
      return await this.#http(path, { ...options, method, headers })
    } catch (error) {
      const retryAfter =
        error instanceof HTTPError ? parseRetryAfter(error.response.headers.get('retry-after')) : undefined
      const refused = error instanceof HTTPError && error.response.status === 429
      const pauseMs = retryAfter === undefined ? rateLimitBackoffMs(rateLimited) : retryAfter * 1000
      if (refused) {
        // Paused before the slot is released, so that releasing it cannot hand a turn to a waiter.
        this.#limiter?.pause(Math.min(pauseMs, MAX_INLINE_PAUSE_MS))
      }
      // Settled: the upstream saw the call, if ever, by now. Released before a retry asks again.
      release?.()
      if (error instanceof HTTPError) {
        if (refused && this.#limiter && rateLimited < this.#rateLimitRetries && pauseMs <= MAX_INLINE_PAUSE_MS) {
          await error.response.body?.cancel().catch(() => {})
          return this.#send(method, path, options, afterRefusal, rateLimited + 1)
        }
        // A 401 means the call was not carried out, so one retry with a renewed session or token
        // is safe even for a POST to a flow; static credentials are not retried.
        if (error.response.status === 401 && this.#auth.invalidate(authorization) && !afterRefusal) {
          await error.response.body?.cancel().catch(() => {})
          return this.#send(method, path, options, true, rateLimited)
        }
        const body: unknown = await error.response.json().catch(() => undefined)
        const { code, message } = redirectRefused(error.response) ?? parseInfobipErrorBody(body)
        throw new InfobipHttpError(
          method.toUpperCase(),
          `/${path}`,
          error.response.status,
          code,
          message,
          retryAfter === undefined ? undefined : Math.ceil(retryAfter),
        )
      }
      if (isNetworkFailure(error)) {
        throw new InfobipNetworkError(method.toUpperCase(), `/${path}`, { cause: error })
      }
      // Our own mistake (a bad header, a bug): calling it an outage would retry it forever.
      throw error
    } finally {
      // The answer's headers are in (or the call failed): its slot's window runs from now.
      release?.()
    }
  }
}

/** Longest analytics header value sent: a campaign name, not a payload. */
const MAX_HEADER_LENGTH = 256

/**
 * A header value Infobip's analytics can read and `Headers` cannot refuse: printable ASCII kept as
 * is, anything else (CR, LF, "春节促销", emoji) percent-encoded as UTF-8, the way a URL carries it,
 * and cut at a whole escape. Lone surrogates become U+FFFD first: encodeURIComponent throws on them.
 */
export function headerValue(raw: string): string {
  const encoded = raw
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[^\x20-\x7E]+/g, (run) => encodeURIComponent(run))
    .trim()
  return encoded.slice(0, MAX_HEADER_LENGTH).replace(/%[\dA-F]?$/, '')
}
