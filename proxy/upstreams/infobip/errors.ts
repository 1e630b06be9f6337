/**
 * What an Infobip call can fail with. The upstream's own code (legacy `errorCode` such as 40002,
 * or `requestError.serviceException.messageId`) is kept so the enrolment logic can map it and the
 * operator can read it; the raw body never reaches a person.
 */

import { UpstreamHttpError, UpstreamNetworkError } from '../errors'

export class InfobipHttpError extends UpstreamHttpError {
  override name = 'InfobipHttpError' as const
  constructor(
    method: string,
    path: string,
    status: number,
    upstreamCode: string | undefined,
    upstreamMessage: string | undefined,
    retryAfterSeconds: number | undefined,
  ) {
    super('infobip', method, path, status, upstreamCode, upstreamMessage, { retryAfterSeconds })
  }
}

export class InfobipNetworkError extends UpstreamNetworkError {
  override name = 'InfobipNetworkError' as const
  constructor(method: string, path: string, options: { cause: unknown }) {
    super('infobip', method, path, options)
  }
}

/** Pulls the code and text out of any of Infobip's error envelopes. */
export function parseInfobipErrorBody(body: unknown): { code?: string | undefined; message?: string | undefined } {
  if (typeof body !== 'object' || body === null) {
    return {}
  }
  const record = body as Record<string, unknown>
  if ('errorCode' in record) {
    return { code: String(record.errorCode), message: stringOrUndefined(record.errorMessage) }
  }
  const service = (record.requestError as { serviceException?: Record<string, unknown> } | undefined)?.serviceException
  if (service) {
    return { code: stringOrUndefined(service.messageId), message: stringOrUndefined(service.text) }
  }
  if ('title' in record && 'status' in record) {
    return { code: String(record.status), message: stringOrUndefined(record.detail) }
  }
  return {}
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
