// Secrets an upstream echoes back (contract section 2) reach no log line, no outbox row and no CLI
// output: a hostile loopback upstream answers every call 401 with the Authorization header and the
// password in its body, and the proxy and each operator command are run against it.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'
import { startProxy } from '../helpers/start-proxy'
import { tempDir } from '../helpers/temp-dir'

const SHOP = 'https://shop.example.com'
const PASSWORD = 'pw-Echo"s3cret/9'
const TOKEN = 'rp-token-echoed-0123456789'
const BASIC = Buffer.from(`shop:${PASSWORD}`).toString('base64')
const SECRETS = [PASSWORD, BASIC, TOKEN, JSON.stringify(PASSWORD).slice(1, -1)]

let servers: RecordingServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** Answers 401 to everything, repeating what it was sent, as some gateways do. */
async function echoingUpstream(): Promise<RecordingServer> {
  const server = await startRecordingServer((req) => {
    const echo = `Authorization ${req.headers.get('authorization') ?? ''} refused (password ${PASSWORD})`
    const body = req.url.includes('/api/v2/')
      ? { detail: echo }
      : { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: echo } } }
    return Response.json(body, { status: 401 })
  })
  servers.push(server)
  return server
}

const CONFIG = {
  forms: [
    {
      id: 'welcome',
      allowedOrigins: [SHOP],
      fields: [{ name: 'email', type: 'email', required: true, label: 'Email' }],
      flow: { api: 'legacy', campaignId: '200000000000001' },
      rapidpro: { groups: ['Newsletter'] },
      confirmation: 'flow',
    },
  ],
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) {
    expect(text).not.toContain(secret)
  }
}

async function cli(argv: string[], env: Record<string, string>) {
  let out = ''
  const code = await runCli(argv, {
    env,
    cwd: tempDir('cli'),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (out += s) },
  })
  return { code, out }
}

describe('secrets an upstream echoes back', () => {
  it('reach no log line, no outbox row and no output of outbox list, check, forms list, flow remove, rapidpro, erase', async () => {
    const upstream = await echoingUpstream()
    const dir = tempDir('edge')
    const configPath = join(dir, 'flowform.config.json')
    writeFileSync(configPath, JSON.stringify(CONFIG))
    const env = {
      INFOBIP_BASE_URL: upstream.url,
      INFOBIP_USERNAME: 'shop',
      INFOBIP_PASSWORD: PASSWORD,
      RAPIDPRO_BASE_URL: upstream.url,
      RAPIDPRO_TOKEN: TOKEN,
      FLOWFORM_CONFIG: configPath,
    }
    const proxy = await startProxy({ ...env })
    try {
      const answer = await fetch(`${proxy.url}/v1/forms/welcome/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SHOP },
        body: JSON.stringify({ values: { email: 'ann@example.com' } }),
      })
      // Credentials refused: the operator must act (contract section 5), and the answer quotes nothing.
      expect(answer.status).toBe(503)
      expectNoSecret(await answer.text())
      await expect.poll(() => proxy.runtime.outbox.list({ status: 'failed' }).length, { timeout: 5_000 }).toBe(1)
      const rows = proxy.runtime.outbox.list()
      // The upstream's text is kept for the operator, with the credentials taken out.
      expect(rows.map((r) => r.lastError).join('\n')).toContain('[redacted]')
      expectNoSecret(JSON.stringify(rows))
      expect(proxy.logText()).toContain('[redacted]')
      expectNoSecret(proxy.logText())
      const withData = { ...env, FLOWFORM_DATA_DIR: proxy.env.dataDir }
      // These quote the upstream's answer to the operator: it is there, without the secrets.
      const quoting = [
        ['outbox', 'list'],
        ['forms', 'list'],
        ['flow', 'remove', '--form', 'welcome', '--email', 'ann@example.com'],
        ['rapidpro', 'sync', '--form', 'welcome'],
        ['rapidpro', 'delete', '--email', 'ann@example.com'],
      ]
      for (const argv of quoting) {
        const { out } = await cli(argv, withData)
        expect(out, argv.join(' ')).toContain('[redacted]')
        expectNoSecret(out)
      }
      for (const argv of [['check'], ['erase', '--email', 'ann@example.com']]) {
        const { code, out } = await cli(argv, withData)
        expect(code, argv.join(' ')).toBe(1)
        expectNoSecret(out)
      }
    } finally {
      await proxy.close(0)
    }
  }, 30_000)
})
