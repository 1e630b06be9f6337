// No upstream call follows a redirect: a 307 to another host must not receive the person's data
// or the credentials, and the person must not be told "enrolled".
import { afterEach, describe, expect, it } from 'vitest'
import { RapidproClient } from '../../proxy/upstreams/rapidpro/client'
import { RapidproHttpError } from '../../proxy/upstreams/rapidpro/errors'
import { InfobipHttpError } from '../../proxy/upstreams/infobip/errors'
import { ibssoAuth, oauthAuth } from '../../proxy/upstreams/infobip/token-auth'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'
import { startProxy } from '../helpers/start-proxy'

const SHOP = 'https://shop.example.com'

let servers: RecordingServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** `elsewhere` records what reaches it; `redirecting` sends every call there with a 307. */
async function redirectPair(): Promise<{ redirecting: RecordingServer; elsewhere: RecordingServer }> {
  const elsewhere = await startRecordingServer(() => Response.json({ token: 'stolen', access_token: 'stolen' }))
  const redirecting = await startRecordingServer(
    (req) => new Response(null, { status: 307, headers: { location: `${elsewhere.url}${new URL(req.url).pathname}` } }),
  )
  servers.push(elsewhere, redirecting)
  return { redirecting, elsewhere }
}

describe('upstream redirects are not followed', () => {
  it('a signup: the other host gets nothing, the person is not told "enrolled", the operator is told why', async () => {
    const { redirecting, elsewhere } = await redirectPair()
    const config = {
      forms: [
        {
          id: 'welcome',
          allowedOrigins: [SHOP],
          fields: [{ name: 'email', type: 'email', required: true, label: 'Email' }],
          flow: { api: 'legacy', campaignId: '200000000000001' },
          confirmation: 'flow',
        },
      ],
    }
    const proxy = await startProxy(
      { INFOBIP_BASE_URL: redirecting.url, INFOBIP_API_KEY: 'redirect-key-1234' },
      { config },
    )
    try {
      const answer = await fetch(`${proxy.url}/v1/forms/welcome/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SHOP },
        body: JSON.stringify({ values: { email: 'ann@example.com' } }),
      })
      expect(answer.status).toBe(503)
      expect(await answer.text()).not.toContain('enrolled')
      expect(redirecting.requests).toHaveLength(1)
      expect(elsewhere.requests).toHaveLength(0)
      const [row] = proxy.runtime.outbox.list()
      // Not transient: failed for the operator at once, not retried forever.
      expect(row).toMatchObject({ status: 'failed', attempts: 1 })
      expect(row?.lastError).toContain(`redirect to ${elsewhere.url}, which is not followed`)
    } finally {
      await proxy.close(0)
    }
  })

  it('IBSSO sessions and OAuth tokens are not fetched from where a redirect points', async () => {
    const { redirecting, elsewhere } = await redirectPair()
    const ibsso = ibssoAuth({ username: 'shop', password: 'pw-1234' }, { baseUrl: redirecting.url })
    await expect(ibsso.header()).rejects.toSatisfy(
      (e) => e instanceof InfobipHttpError && e.status === 307 && !e.transient && e.upstreamCode === 'REDIRECT',
    )
    const oauth = oauthAuth({ clientId: 'c', clientSecret: 'cs-1234' }, { baseUrl: redirecting.url })
    await expect(oauth.header()).rejects.toBeInstanceOf(InfobipHttpError)
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('RapidPro: the contact is not sent to where a redirect points', async () => {
    const { redirecting, elsewhere } = await redirectPair()
    const client = new RapidproClient({ baseUrl: redirecting.url, token: 'rp-token-1234' })
    const failure = await client.upsertContact('mailto:ann@example.com', { name: 'Ann' }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RapidproHttpError)
    expect(failure).toMatchObject({ status: 307, transient: false })
    expect((failure as RapidproHttpError).upstreamMessage).toContain('not followed')
    expect(elsewhere.requests).toHaveLength(0)
  })
})
