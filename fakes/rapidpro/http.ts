// Django REST Framework's answers as RapidPro sends them: field errors, `detail`, cursor pages.
import type { RapidproState } from './state'

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

export const noContent = (): Response => new Response(null, { status: 204 })
export const detail = (status: number, message: string, headers: Record<string, string> = {}): Response =>
  json(status, { detail: message }, headers)
export const notFound = (): Response => detail(404, 'Not found.')
export const methodNotAllowed = (method: string): Response => detail(405, `Method "${method}" not allowed.`)
export const invalidFields = (errors: Record<string, unknown>): Response => json(400, errors)

/** Python's name for a JSON value's type, as DRF quotes it in "Expected a list of items but got type …". */
export function pyType(value: unknown): string {
  if (value === null) {
    return 'NoneType'
  }
  if (Array.isArray(value)) {
    return 'list'
  }
  switch (typeof value) {
    case 'string':
      return 'str'
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float'
    case 'boolean':
      return 'bool'
    default:
      return 'dict'
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The body of a write, as DRF's JSONParser and RapidPro's WriteAPIMixin read it. */
export async function readObject(
  request: Request,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; response: Response }> {
  const text = await request.text()
  if (text.trim() === '') {
    return { ok: true, value: {} }
  }
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type !== 'application/json') {
    return { ok: false, response: detail(415, `Unsupported media type "${type}" in request.`) }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, response: detail(400, `JSON parse error - ${(error as Error).message}`) }
  }
  if (!isObject(value)) {
    return { ok: false, response: json(400, { non_field_errors: ['Request body should be a single JSON object'] }) }
  }
  return { ok: true, value }
}

/** One cursor page of `items`; the cursor is opaque to clients, as RapidPro's is. */
export function paginate(state: RapidproState, url: URL, items: unknown[]): Response {
  const cursor = url.searchParams.get('cursor')
  let offset = 0
  if (cursor !== null) {
    const decoded = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o=/, ''))
    if (!Number.isInteger(decoded) || decoded < 0) {
      return detail(404, 'Invalid cursor')
    }
    offset = decoded
  }
  const link = (at: number | null): string | null => {
    if (at === null) {
      return null
    }
    const next = new URL(url)
    next.searchParams.set('cursor', Buffer.from(`o=${at}`).toString('base64url'))
    return next.toString()
  }
  const end = offset + state.pageSize
  return json(200, {
    next: link(end < items.length ? end : null),
    previous: link(offset > 0 ? Math.max(0, offset - state.pageSize) : null),
    results: items.slice(offset, end),
  })
}
