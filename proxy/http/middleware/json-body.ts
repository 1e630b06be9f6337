import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type * as z from 'zod'
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../common/errors'

/**
 * Refuses a body over `maxBytes` (413). A separate step from `jsonBody` because it goes first:
 * an oversized request is refused before it is counted by a limiter or its origin looked at.
 */
export function jsonBodyLimit(options: { maxBytes: number; message: string }): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: options.maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(options.message)
    },
  })
  return async function jsonBodyLimit(c, next) {
    return limit(c, next)
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
