import type {
  ErrorBody,
  PublicForm,
  SubmissionContext,
  SubmissionStatus,
  SubmissionValues,
} from '../../contract/definition'

/**
 * The three calls the widget makes to the proxy (CONTRACT section 5), as plain fetch: the bundle
 * has no room for an HTTP client. Every failure becomes a value, never a thrown error, because
 * the caller always has something calm to show.
 */

/** `message`: the proxy's reason for refusing (a page origin it does not allow, say), for the console. */
export type LoadResult =
  { kind: 'ready'; form: PublicForm } | { kind: 'missing' | 'failed'; message?: string | undefined }

/** `code` is the proxy's error code, `http_<status>` without one, or `network`: safe for events. */
export type SubmitResult =
  | { kind: 'accepted'; status: SubmissionStatus }
  | { kind: 'invalid'; fields: Record<string, string[]>; code: string }
  | { kind: 'rateLimited'; code: string }
  | { kind: 'failed'; code: string }

const STATUSES: readonly string[] = ['enrolled', 'already_enrolled', 'queued']

export function formUrl(endpoint: string, formId: string, action = ''): string {
  return `${endpoint}/v1/forms/${encodeURIComponent(formId)}${action}`
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json()
  } catch {
    return null
  }
}

export async function loadForm(
  endpoint: string,
  formId: string,
  locale: string,
  signal?: AbortSignal,
): Promise<LoadResult> {
  try {
    // English is the proxy's default: its URL stays the plain one, as every cache already knows it.
    const res = await fetch(formUrl(endpoint, formId) + (locale === 'en' ? '' : `?locale=${locale}`), {
      signal: signal ?? null,
    })
    const body = (await readJson(res)) as (PublicForm & Partial<ErrorBody>) | null
    // A cheap shape check: the rest of the widget may then trust `fields` to be a list.
    return res.ok && Array.isArray(body?.fields)
      ? { kind: 'ready', form: body as PublicForm }
      : { kind: res.status === 404 ? 'missing' : 'failed', message: body?.error?.message }
  } catch {
    return { kind: 'failed' }
  }
}

/** What the widget posts: the values, the page context and the bot defense's answers (CONTRACT section 5). */
export interface Submission {
  values: SubmissionValues
  context?: SubmissionContext
  /** The definition's timing token, sent back unchanged. */
  token?: string | undefined
  /** The honeypot input's value: empty from a person. */
  honeypot?: string | undefined
  /** The challenge's answer: the provider's token, or the ALTCHA payload. */
  challenge?: string | undefined
}

export async function submitValues(endpoint: string, formId: string, submission: Submission): Promise<SubmitResult> {
  let res: Response
  try {
    res = await fetch(formUrl(endpoint, formId, '/submissions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(submission),
    })
  } catch {
    return { kind: 'failed', code: 'network' }
  }
  const body = await readJson(res)
  if (res.ok) {
    const status = (body as { status?: SubmissionStatus } | null)?.status
    // An accepted answer with an unexpected body still means the signup went through.
    return {
      kind: 'accepted',
      status: STATUSES.includes(status as string)
        ? (status as SubmissionStatus)
        : res.status === 202
          ? 'queued'
          : 'enrolled',
    }
  }
  const error = (body as ErrorBody | null)?.error
  const code = typeof error?.code === 'string' ? error.code : `http_${res.status}`
  if (res.status === 422) {
    return { kind: 'invalid', fields: error?.fields ?? {}, code }
  }
  return { kind: res.status === 429 ? 'rateLimited' : 'failed', code }
}

/**
 * Counts a view. `keepalive` lets the request outlive a page that is closed right away; no body
 * and no custom header keep it a CORS "simple" request, so no preflight delays or blocks it.
 */
export function sendView(endpoint: string, formId: string): void {
  try {
    fetch(formUrl(endpoint, formId, '/views'), { method: 'POST', keepalive: true }).catch(() => undefined)
  } catch {
    // A missing or throwing fetch must never break the form.
  }
}
