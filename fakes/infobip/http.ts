// Response builders for the exact error envelopes Infobip uses. Three families coexist upstream:
// `requestError.serviceException` (gateway, auth, Forms), `ExceptionResponse` (Flow APIs) and
// Spring's problem JSON (Moments body that cannot be read).

const JSON_TYPE = 'application/json;charset=UTF-8'

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } })
}

export function empty(status = 200, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers })
}

export type ServiceMessageId =
  'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'GENERAL_ERROR'

export function requestError(
  status: number,
  messageId: ServiceMessageId,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { requestError: { serviceException: { messageId, text } } }, headers)
}

export const unauthorized = (): Response => requestError(401, 'UNAUTHORIZED', 'Invalid login details')
export const notFound = (text = 'Not found'): Response => requestError(404, 'NOT_FOUND', text)
export const generalError = (): Response =>
  requestError(500, 'GENERAL_ERROR', 'Something went wrong. Please contact support.')
export const tooManyRequests = (): Response =>
  requestError(429, 'TOO_MANY_REQUESTS', 'Too many requests', { 'retry-after': '1' })

// ExceptionResponse types errorCode as an integer (int32). The Moments examples quote it as a
// string, a known flaw of the document (shared/reference/infobip-openapi/README.md): the schema wins.
export function momentsError(status: number, errorCode: number, errorMessage: string): Response {
  return json(status, { errorCode, errorMessage })
}

export function legacyError(errorCode: LegacyErrorCode, errorMessage: string): Response {
  return json(errorCode >= 40400 ? 404 : 400, { errorCode, errorMessage })
}

export type LegacyErrorCode = 40001 | 40002 | 40003 | 40004 | 40005 | 40006 | 40401 | 40402

export function problem(path: string, detail = 'Failed to read request'): Response {
  return json(400, { type: 'about:blank', title: 'Bad Request', status: 400, detail, instance: path })
}

/** Reads a body as JSON; an empty or blank body is `{ ok: true, value: undefined, empty: true }`. */
export async function readJson(
  request: Request,
): Promise<{ ok: true; value: unknown; empty: boolean } | { ok: false }> {
  const text = await request.text()
  if (text.trim() === '') {
    return { ok: true, value: undefined, empty: true }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown, empty: false }
  } catch {
    return { ok: false }
  }
}

export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
