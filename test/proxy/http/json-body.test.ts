import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { onError } from '../../../proxy/http/error-response'
import { jsonBody, jsonBodyLimit } from '../../../proxy/http/middleware/json-body'
import { createMemoryLogger } from '../../../proxy/common/log'

const MESSAGES = { contentType: 'Send JSON.', invalidJson: 'Not JSON.', invalidShape: 'Wrong shape.' }

function app(messages: Parameters<typeof jsonBody>[1] = MESSAGES) {
  const hono = new Hono()
  hono.onError(onError(createMemoryLogger().log))
  hono.post(
    '/',
    jsonBodyLimit({ maxBytes: 64, message: 'Too large.' }),
    jsonBody(z.object({ name: z.string() }), messages),
    (c) => c.json({ got: c.get('body').name }),
  )
  return (body: string, type: string | null = 'application/json', headers: Record<string, string> = {}) =>
    hono.request('/', {
      method: 'POST',
      body,
      headers: { ...(type === null ? {} : { 'content-type': type }), ...headers },
    })
}

async function error(res: Response): Promise<[number, string]> {
  const body = (await res.json()) as { error: { message: string } }
  return [res.status, body.error.message]
}

describe('jsonBody', () => {
  it('hands the parsed body to the handler', async () => {
    const res = await app()('{"name":"Ada"}', 'application/json; charset=utf-8')
    expect(await res.json()).toEqual({ got: 'Ada' })
  })

  it('refuses another content type with 415', async () => {
    expect(await error(await app()('{"name":"Ada"}', 'text/plain'))).toEqual([415, 'Send JSON.'])
    expect(await error(await app()('{"name":"Ada"}', null))).toEqual([415, 'Send JSON.'])
  })

  it('does not look at the content type when no 415 message is given', async () => {
    const send = app({ invalidJson: 'Not JSON.', invalidShape: 'Wrong shape.' })
    expect((await send('{"name":"Ada"}', 'text/plain')).status).toBe(200)
  })

  it('refuses a body over the limit with 413, whatever its type', async () => {
    expect(await error(await app()(`{"name":"${'x'.repeat(100)}"}`))).toEqual([413, 'Too large.'])
    expect(await error(await app()('x'.repeat(100), 'text/plain'))).toEqual([413, 'Too large.'])
  })

  it('judges a stated Content-Length (as every browser sends) before anything is read', async () => {
    const small = '{"name":"Ada"}'
    const big = `{"name":"${'x'.repeat(100)}"}`
    expect((await app()(small, 'application/json', { 'content-length': String(small.length) })).status).toBe(200)
    expect(await error(await app()(big, 'application/json', { 'content-length': String(big.length) }))).toEqual([
      413,
      'Too large.',
    ])
    expect(await error(await app()(small, 'application/json', { 'content-length': '65' }))).toEqual([413, 'Too large.'])
  })

  it('refuses a Content-Length that is not a number, and counts the body when a Transfer-Encoding is named', async () => {
    expect(await error(await app()('{"name":"Ada"}', 'application/json', { 'content-length': '1e2' }))).toEqual([
      400,
      'The Content-Length header is not a number.',
    ])
    const big = `{"name":"${'x'.repeat(100)}"}`
    const res = await app()(big, 'application/json', { 'content-length': '10', 'transfer-encoding': 'chunked' })
    expect(await error(res)).toEqual([413, 'Too large.'])
  })

  it('counts a streamed body without a Content-Length as it is read', async () => {
    const hono = new Hono()
    hono.onError(onError(createMemoryLogger().log))
    hono.post('/', jsonBodyLimit({ maxBytes: 64, message: 'Too large.' }), async (c) => c.text(await c.req.text()))
    const streamed = (chunks: string[]) =>
      hono.request('/', {
        method: 'POST',
        body: new ReadableStream({
          start(controller) {
            chunks.forEach((chunk) => controller.enqueue(new TextEncoder().encode(chunk)))
            controller.close()
          },
        }),
        duplex: 'half',
      } as RequestInit)
    expect(await (await streamed(['{"a":', '1}'])).text()).toBe('{"a":1}')
    expect(await error(await streamed(['x'.repeat(40), 'x'.repeat(40)]))).toEqual([413, 'Too large.'])
  })

  it('refuses invalid JSON and a wrong shape with 400', async () => {
    expect(await error(await app()('{bad'))).toEqual([400, 'Not JSON.'])
    expect(await error(await app()('{"name":1}'))).toEqual([400, 'Wrong shape.'])
  })
})
