import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type * as z from 'zod'
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../common/errors'

/**
 * Refuses a body over `maxBytes` (413). A separate step from `jsonBody` because it goes first:
 * an oversized request is refused before it is counted by a limiter or its origin looked at.
 *
 * A request that states its Content-Length (every browser's fetch with a string body) is judged on
 * that header alone: Node's HTTP parser never reads past it, so the body cannot be longer. Only a
 * request without one (chunked) goes through hono's bodyLimit, which counts the stream as it is
 * read. Why not bodyLimit for all: it touches `request.body`, which makes @hono/node-server build a
 * full web Request (a ReadableStream and an AbortSignal) for every signup instead of reading the
 * body straight from Node's request; that cost a quarter of the signup path's throughput.
 */
export function jsonBodyLimit(options: { maxBytes: number; message: string }): MiddlewareHandler {
  const streamed = bodyLimit({
    maxSize: options.maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(options.message)
    },
  })
  return async function jsonBodyLimit(c, next) {
    const stated = c.req.header('content-length')
    if (stated === undefined || c.req.header('transfer-encoding') !== undefined) {
      return streamed(c, next)
    }
    if (!/^\d+$/.test(stated)) {
      // Node's parser refuses it first; another runtime's Request might not.
      throw new BadRequestError('The Content-Length header is not a number.')
    }
    if (Number(stated) > options.maxBytes) {
      throw new PayloadTooLargeError(options.message)
    }
    await next()
  }
}

export interface JsonBodyMessages {
  /** The 415 answer when the content type is not JSON; absent: the content type is not checked. */
  contentType?: string
  /** The 400 answer when the body does not parse. */
  invalidJson: string
  /** The 400 answer when it parses but does not match the schema. */
  invalidShape: string
}

export type JsonBodyEnv<T> = { Variables: { body: T } }

/** Parses the body as JSON against `schema` and sets `body` for the handler. */
export function jsonBody<S extends z.ZodType>(
  schema: S,
  messages: JsonBodyMessages,
): MiddlewareHandler<JsonBodyEnv<z.output<S>>> {
  return async function jsonBody(c, next) {
    if (messages.contentType !== undefined && !/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new UnsupportedMediaTypeError(messages.contentType)
    }
    let raw: unknown
    try {
      raw = await c.req.json()
    } catch {
      throw new BadRequestError(messages.invalidJson)
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      throw new BadRequestError(messages.invalidShape)
    }
    c.set('body', parsed.data)
    await next()
  }
}
