import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'
import { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { InfobipNetworkError } from '../../proxy/upstreams/infobip/errors'

describe('Infobip network failures name their cause', () => {
  it('says the connection was refused when nothing listens', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    const client = new InfobipClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: staticAuth({ kind: 'app', apiKey: 'k' }),
      timeoutMs: 2_000,
    })
    const error = await client.getForm('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InfobipNetworkError)
    expect((error as Error).message).toMatch(
      /^Infobip could not be reached \(connection refused \(ECONNREFUSED\)\): GET \/forms\/1\/forms\/x$/,
    )
  })

  it('says it timed out when Infobip does not answer in time', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))
    const client = new InfobipClient({
      baseUrl: 'https://infobip.invalid',
      auth: staticAuth({ kind: 'app', apiKey: 'k' }),
      fetch: hang,
      timeoutMs: 50,
    })
    const error = await client.getForm('x').catch((e: unknown) => e)
    expect((error as Error).message).toContain('(timed out)')
  })
})
