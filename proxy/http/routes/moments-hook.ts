import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { BadRequestError, FlowformError, NotFoundError, PayloadTooLargeError } from '../errors'
import type { Logger } from '../../log'
import { ParticipantsReport } from '../../upstreams/infobip/types'

/**
 * `POST /v1/hooks/moments-report`: where Infobip delivers an operation's report when the add call
 * named a `notifyUrl`. Infobip documents no signature for this callback, so the URL itself carries
 * a secret (`?secret=`), compared in constant time before the body is even read.
 */

export const MOMENTS_HOOK_PATH = '/v1/hooks/moments-report'
const SECRET_PARAM = 'secret'
/** A report of 1,000 participants is ~150 KB. */
const MAX_REPORT_BYTES = 2 * 1024 * 1024
/** Infobip's limit on notifyUrl. */
export const MAX_NOTIFY_URL_LENGTH = 1_000

export class HookSecretError extends FlowformError {
  override name = 'HookSecretError' as const
  readonly status = 403
  readonly code = 'forbidden'
}

/** The URL sent to Infobip as `notifyUrl`: the operator's public URL with the secret added. */
export function notifyUrlWithSecret(url: string, secret: string): string {
  const target = new URL(url)
  target.searchParams.set(SECRET_PARAM, secret)
  return target.toString()
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

export function momentsHooks(deps: {
  /** null: no notifyUrl configured, the route answers 404. */
  secret: string | null
  feed: (report: ParticipantsReport) => void
  log: Logger
}): Hono {
  const hooks = new Hono()
  hooks.post(
    '/moments-report',
    async (c, next) => {
      if (deps.secret === null) {
        throw new NotFoundError('Not found.')
      }
      if (!sameSecret(c.req.query(SECRET_PARAM) ?? '', deps.secret)) {
        deps.log.warn('moments report hook called without the right secret')
        throw new HookSecretError('Forbidden.')
      }
      await next()
    },
    bodyLimit({
      maxSize: MAX_REPORT_BYTES,
      onError: () => {
        throw new PayloadTooLargeError('The report is too large.')
      },
    }),
    async (c) => {
      let raw: unknown
      try {
        raw = await c.req.json()
      } catch {
        throw new BadRequestError('The body is not valid JSON.')
      }
      const report = ParticipantsReport.safeParse(raw)
      if (!report.success) {
        throw new BadRequestError('The body is not a Moments participants report.')
      }
      deps.log.info(
        { operationId: report.data.operationId, participants: report.data.participants.length },
        'moments report received',
      )
      deps.feed(report.data)
      return c.body(null, 204)
    },
  )
  return hooks
}
