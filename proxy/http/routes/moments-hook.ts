import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { FlowformError, NotFoundError } from '../../common/errors'
import { jsonBody, jsonBodyLimit } from '../middleware/json-body'
import type { Logger } from '../../common/log'
import { ParticipantsReport } from '../../upstreams/infobip/types'

/**
 * `POST /v1/hooks/moments-report`: where Infobip delivers an operation's report when the add call
 * named a `notifyUrl`. Infobip documents no signature for this callback, so the URL itself carries
 * a secret (`?secret=`), compared in constant time before the body is even read.
 */

const SECRET_PARAM = 'secret'
/** A report of 1,000 participants is ~150 KB. */
const MAX_REPORT_BYTES = 2 * 1024 * 1024

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
    jsonBodyLimit({ maxBytes: MAX_REPORT_BYTES, message: 'The report is too large.' }),
    jsonBody(ParticipantsReport, {
      invalidJson: 'The body is not valid JSON.',
      invalidShape: 'The body is not a Moments participants report.',
    }),
    (c) => {
      const report = c.get('body')
      deps.log.info(
        { operationId: report.operationId, participants: report.participants.length },
        'moments report received',
      )
      deps.feed(report)
      return c.body(null, 204)
    },
  )
  return hooks
}

/**
 * Where the sandbox fake posts Moments reports: in-process, to this proxy's own hook, so the sandbox
 * exercises the hook as Infobip would. It is created before the fake and connected to the app once
 * the app exists (the app needs the tracker, which polls through the fake); until then a post is
 * dropped, as it would be by a server not yet listening.
 */
export function inProcessHook(): {
  post(url: string, body: unknown): Promise<void>
  connect(handler: (request: Request) => Response | Promise<Response>): void
} {
  let handler: ((request: Request) => Response | Promise<Response>) | null = null
  return {
    async post(url, body) {
      const request = new Request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      await handler?.(request)
    },
    connect(target) {
      handler = target
    },
  }
}
