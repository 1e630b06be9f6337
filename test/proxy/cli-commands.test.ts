// The operator CLI run in-process (runCli): against a fresh sandbox fake (no credentials), against
// the fake with fixed credentials served over loopback, and against scripted recording servers.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { SANDBOX_SEED, createInfobipFake } from '../../fakes/infobip-fake'
import type { InfobipFake } from '../../fakes/infobip-fake'
import { type RecordingHandler, type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { tempDir } from '../helpers/temp-dir'

const SHOP = 'https://shop.example.com'
const PASSWORD = 'pw-s3cret'
const BASIC = `Basic ${Buffer.from(`shop:${PASSWORD}`).toString('base64')}`

let servers: RecordingServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function serve(handler: RecordingHandler): Promise<RecordingServer> {
  const server = await startRecordingServer(handler)
  servers.push(server)
  return server
}

const dir = () => tempDir('cli')

function configFile(config: unknown): string {
  const file = join(dir(), 'flowform.config.json')
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config))
  return file
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    env,
    cwd: dir(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}

/** The sandbox fake with fixed credentials, on loopback: Infobip's semantics plus a record of the wire. */
/** Get form, views and data take only an API key (the spec's security): checks of Infobip forms use one. */
const API_KEY = 'live-api-key'

async function liveFake(): Promise<{ fake: InfobipFake; server: RecordingServer; env: Record<string, string> }> {
  const fake = createInfobipFake({ credentials: { username: 'shop', password: PASSWORD, apiKey: API_KEY } })
  const server = await serve(fake.fetch)
  return { fake, server, env: { INFOBIP_BASE_URL: server.url, INFOBIP_USERNAME: 'shop', INFOBIP_PASSWORD: PASSWORD } }
}

const form = (id: string, extra: Record<string, unknown>) => ({
  id,
  allowedOrigins: [SHOP],
  fields: [{ name: 'email', type: 'email', required: true }],
  ...extra,
})

describe('flowform (dispatcher)', () => {
  it('prints usage for help (exit 0), nothing (exit 2) and unknown commands (exit 2)', async () => {
    expect(await cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('flowform forms list') })
    expect((await cli([])).code).toBe(2)
    const unknown = await cli(['forms', 'delete'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "forms delete"')
  })

  it('refuses unknown options with the command usage (exit 2)', async () => {
    const result = await cli(['forms', 'list', '--colour', 'red'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/Unknown option '--colour'[\s\S]*Usage: flowform forms list/)
  })

  it('reports an invalid environment like the server does, without the secret', async () => {
    const result = await cli(['forms', 'list'], {
      INFOBIP_BASE_URL: 'https://x.api.infobip.com',
      INFOBIP_CLIENT_ID: 'cid-s3cret',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('INFOBIP_CLIENT_SECRET: is required with INFOBIP_CLIENT_ID')
    expect(result.stderr).not.toContain('cid-s3cret')
  })
})

describe('flowform forms list', () => {
  it('lists the sandbox forms in a table and says it is the sandbox', async () => {
    const result = await cli(['forms', 'list'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('SANDBOX mode')
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+TYPE\s+STATUS\s+ELEMENTS$/)
    expect(lines[1]).toMatch(
      new RegExp(`^${SANDBOX_SEED.activeFormId}\\s+Company Newsletter\\s+OPT_IN\\s+ACTIVE\\s+13$`),
    )
    expect(result.stdout).toContain('Spring Promo (draft)')
    expect(result.stdout.trim().endsWith('3 forms.')).toBe(true)
  })

  it('filters by --status and --type (case-insensitive), refusing unknown values', async () => {
    const drafts = await cli(['forms', 'list', '--status', 'draft'])
    expect(drafts.stdout).toContain(SANDBOX_SEED.draftFormId)
    expect(drafts.stdout).not.toContain(SANDBOX_SEED.activeFormId)
    expect((await cli(['forms', 'list', '--type', 'OPT_OUT'])).stdout).toContain('No forms.')
    const bad = await cli(['forms', 'list', '--status', 'LIVE'])
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--status must be one of ACTIVE, DRAFT, DISABLED'),
    })
  })

  it('pages through every form, 100 at a time, with the configured credentials on the wire', async () => {
    const all = Array.from({ length: 230 }, (_, i) => ({
      id: `form-${String(i).padStart(3, '0')}`,
      name: `Form ${i}`,
      elements: [{ component: 'EMAIL' }],
      formType: 'OPT_IN',
      formStatus: 'ACTIVE',
    }))
    const server = await serve((req) => {
      const url = new URL(req.url)
      const offset = Number(url.searchParams.get('offset') ?? 0)
      const limit = Number(url.searchParams.get('limit') ?? 25)
      return Response.json({ forms: all.slice(offset, offset + limit), offset, limit, total: all.length })
    })
    const result = await cli(['forms', 'list', '--status', 'ACTIVE'], {
      INFOBIP_BASE_URL: server.url,
      INFOBIP_API_KEY: 'key-s3cret',
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('form-229')
    expect(result.stdout).toContain('230 forms.')
    expect(server.requests.map((r) => `${r.path}?${r.query.toString()}`)).toEqual([
      '/forms/1/forms?offset=0&limit=100&formStatus=ACTIVE',
      '/forms/1/forms?offset=100&limit=100&formStatus=ACTIVE',
      '/forms/1/forms?offset=200&limit=100&formStatus=ACTIVE',
    ])
    expect(server.requests.every((r) => r.headers.authorization === 'App key-s3cret')).toBe(true)
    expect(result.stderr).toContain(`calling Infobip at ${server.url} (API key)`)
    expect(result.stdout + result.stderr).not.toContain('key-s3cret')
  })

  it('says what Infobip answered when the credentials are refused (exit 1)', async () => {
    const { env } = await liveFake()
    const result = await cli(['forms', 'list'], { ...env, INFOBIP_PASSWORD: 'wrong-s3cret' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('could not list forms: Infobip answered 401 UNAUTHORIZED: Invalid login details')
    expect(result.stderr).not.toContain('wrong-s3cret')
  })
})

describe('flowform flow remove', () => {
  const config = () =>
    configFile({
      forms: [
        form('welcome', { flow: { api: 'legacy', campaignId: SANDBOX_SEED.legacyCampaignId } }),
        form('paused', { flow: { api: 'moments', campaignId: SANDBOX_SEED.inactiveCampaignId } }),
        form('gone', { flow: { api: 'legacy', campaignId: '424242' } }),
        form('plain', { infobipFormId: SANDBOX_SEED.activeFormId }),
      ],
    })

  async function enrol(fake: InfobipFake, query: string, personData: unknown) {
    const res = await fake.fetch(
      `https://x/communication/1/flows/${SANDBOX_SEED.legacyCampaignId}/participants${query}`,
      {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({ personData }),
      },
    )
    expect(res.status).toBe(200)
  }

  it('removes the person from the form flow: DELETE with ?email= and the credentials', async () => {
    const { fake, server, env } = await liveFake()
    await enrol(fake, '', { contactInformation: { email: [{ address: 'ann@example.com' }] } })
    const result = await cli(['flow', 'remove', '--form', 'welcome', '--email', 'ann@example.com'], {
      ...env,
      FLOWFORM_CONFIG: config(),
    })
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Removed the person with email ann@example.com from flow 10159347'),
    })
    expect(fake.flowParticipants(SANDBOX_SEED.legacyCampaignId)).toEqual([])
    const [call] = server.requests
    expect(call).toMatchObject({
      method: 'DELETE',
      path: `/communication/1/flows/${SANDBOX_SEED.legacyCampaignId}/participants`,
    })
    expect(Object.fromEntries(call?.query ?? [])).toEqual({ email: 'ann@example.com' })
    expect(call?.headers.authorization).toBe(BASIC)
  })

  it('identifies by --phone (digits only) and --external-id', async () => {
    const { fake, server, env } = await liveFake()
    await enrol(fake, '?externalId=cust-1', { contactInformation: { phone: [{ number: '41793026727' }] } })
    const byPhone = await cli(['flow', 'remove', '--form', 'welcome', '--phone', '+41 79 302 67 27'], {
      ...env,
      FLOWFORM_CONFIG: config(),
    })
    expect(byPhone.code).toBe(0)
    expect(server.requests[0]?.query.get('phone')).toBe('41793026727')
    await cli(['flow', 'remove', '--form', 'welcome', '--external-id', 'cust-1'], { ...env, FLOWFORM_CONFIG: config() })
    expect(server.requests[1]?.query.get('externalId')).toBe('cust-1')
  })

  it('writes --phone as erase does (contract/identity.ts): "0041 …" goes out as "41…"', async () => {
    const { server, env } = await liveFake()
    const withConfig = { ...env, FLOWFORM_CONFIG: config(), FLOWFORM_DATA_DIR: dir() }
    const phonesSent = async (argv: string[]) => {
      const from = server.requests.length
      await cli(argv, withConfig)
      return server.requests
        .slice(from)
        .filter((r) => r.method === 'DELETE' && r.path.includes(`/${SANDBOX_SEED.legacyCampaignId}/`))
        .map((r) => r.query.get('phone'))
    }
    const phone = '0041 79 302 67 27'
    expect(await phonesSent(['flow', 'remove', '--form', 'welcome', '--phone', phone])).toEqual(['41793026727'])
    expect(await phonesSent(['erase', '--phone', phone])).toEqual(['41793026727'])
  })

  it('40006 not in the flow: says so, exit 0', async () => {
    const { fake, env } = await liveFake()
    await enrol(fake, '', { contactInformation: { email: [{ address: 'ann@example.com' }] } })
    const args = ['flow', 'remove', '--form', 'welcome', '--email', 'ann@example.com']
    await cli(args, { ...env, FLOWFORM_CONFIG: config() })
    const again = await cli(args, { ...env, FLOWFORM_CONFIG: config() })
    expect(again).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('is not in flow 10159347 (form "welcome"); nothing to remove'),
    })
  })

  it('40402 person not found, 40401 flow not found, 40005 inactive: clear messages, exit 1', async () => {
    const { env } = await liveFake()
    const withConfig = { ...env, FLOWFORM_CONFIG: config() }
    const nobody = await cli(['flow', 'remove', '--form', 'welcome', '--email', 'zed@example.com'], withConfig)
    expect(nobody).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Infobip has no person with email zed@example.com'),
    })
    const gone = await cli(['flow', 'remove', '--form', 'gone', '--email', 'zed@example.com'], withConfig)
    expect(gone).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Infobip has no flow 424242 (form "gone"): check flow.campaignId'),
    })
    const paused = await cli(['flow', 'remove', '--form', 'paused', '--email', 'zed@example.com'], withConfig)
    expect(paused).toMatchObject({ code: 1, stderr: expect.stringContaining('is inactive') })
  })

  it('refuses unknown forms, forms without a flow and bad identifiers before any call', async () => {
    const { server, env } = await liveFake()
    const withConfig = { ...env, FLOWFORM_CONFIG: config() }
    expect(await cli(['flow', 'remove', '--form', 'nope', '--email', 'a@b.c'], withConfig)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('there is no form "nope"'),
    })
    expect(await cli(['flow', 'remove', '--form', 'plain', '--email', 'a@b.c'], withConfig)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('has no flow configured'),
    })
    expect(
      (await cli(['flow', 'remove', '--form', 'welcome', '--email', 'a@b.c', '--phone', '1'], withConfig)).code,
    ).toBe(2)
    expect((await cli(['flow', 'remove', '--email', 'a@b.c'], withConfig)).code).toBe(2)
    expect(server.requests).toEqual([])
  })

  it('in sandbox mode, talks to a fresh fake and says so', async () => {
    const result = await cli(['flow', 'remove', '--form', 'welcome', '--email', 'a@b.c'])
    expect(result.stderr).toContain('SANDBOX mode')
    expect(result.stderr).toContain('Infobip has no person with email a@b.c')
  })
})

describe('flowform check', () => {
  it('passes on the sandbox with the demo config', async () => {
    const result = await cli(['check'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^CHECK\s+TARGET\s+RESULT\s+DETAIL$/m)
    expect(result.stdout).toMatch(/^config\s+built-in demo config\s+ok\s+3 forms/m)
    expect(result.stdout).toMatch(/^infobip\s+sandbox \(in-process fake\)\s+ok/m)
    expect(result.stdout).toMatch(/^flow\s+welcome-legacy → legacy flow 10159347\s+ok\s+exists and is active$/m)
    expect(result.stdout.trim().endsWith('All checks passed.')).toBe(true)
  })

  it('reports every form and flow problem in one table, exit 1', async () => {
    const { server, env } = await liveFake()
    const file = configFile({
      forms: [
        {
          id: 'news',
          allowedOrigins: [SHOP],
          infobipFormId: SANDBOX_SEED.activeFormId,
          flow: { api: 'moments', campaignId: SANDBOX_SEED.momentsCampaignId },
        },
        { id: 'draft', allowedOrigins: [SHOP], infobipFormId: SANDBOX_SEED.draftFormId },
        { id: 'typo', allowedOrigins: [SHOP], infobipFormId: '00000000-0000-4000-8000-000000000000' },
        form('paused', { flow: { api: 'legacy', campaignId: SANDBOX_SEED.inactiveCampaignId } }),
        form('gone', { flow: { api: 'moments', campaignId: '424242' } }),
      ],
    })
    const result = await cli(['check'], {
      INFOBIP_BASE_URL: env.INFOBIP_BASE_URL ?? '',
      INFOBIP_API_KEY: API_KEY,
      FLOWFORM_CONFIG: file,
    })
    expect(result.code).toBe(1)
    const row = (pattern: string) => expect(result.stdout).toMatch(new RegExp(`^${pattern}$`, 'm'))
    row(`config\\s+${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+ok\\s+5 forms: news, draft, typo, paused, gone`)
    row(`infobip\\s+${server.url}\\s+ok\\s+reached; API key accepted`)
    row(`infobip form\\s+news → ${SANDBOX_SEED.activeFormId}\\s+ok\\s+ACTIVE, "Company Newsletter", 13 elements`)
    row(`infobip form\\s+draft → ${SANDBOX_SEED.draftFormId}\\s+FAIL\\s+DRAFT, .*only ACTIVE forms are shown`)
    row('infobip form\\s+typo → 0{8}-.*\\s+FAIL\\s+not found: check infobipFormId.*')
    row('flow\\s+news → moments flow 200000000000001\\s+ok\\s+exists and is active')
    row('flow\\s+paused → legacy flow 200000000000002\\s+FAIL\\s+the flow is inactive \\(40005\\).*')
    row('flow\\s+gone → moments flow 424242\\s+FAIL\\s+no flow with this id \\(40401\\)')
    expect(result.stdout.trim().endsWith('4 checks failed.')).toBe(true)
    expect(result.stdout + result.stderr).not.toContain(PASSWORD)
    // Every call carried the configured credentials; the probes removed nobody real.
    expect(server.requests.every((r) => r.headers.authorization === `App ${API_KEY}`)).toBe(true)
    expect(
      server.requests
        .filter((r) => r.method === 'DELETE')
        .every((r) => r.query.get('externalId')?.startsWith('flowform-check-')),
    ).toBe(true)
  })

  it('fails the infobip row on refused credentials and skips what depends on it', async () => {
    const { env } = await liveFake()
    const result = await cli(['check'], { ...env, INFOBIP_PASSWORD: 'wrong-s3cret' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^infobip\s+http:\/\/127\.0\.0\.1:\d+\s+FAIL\s+Basic \(username and password\) refused \(401\)/m,
    )
    expect(result.stdout).toMatch(/^flow\s+welcome → moments flow 200000000000001\s+skip\s+Infobip not usable/m)
    expect(result.stdout).not.toContain('wrong-s3cret')
  })

  it('checks with an IBSSO session and says so, one session for all probes', async () => {
    const { server, env } = await liveFake()
    // Flows only: get form takes no IBSSO session (the spec declares only the API-key scheme).
    const file = configFile({
      forms: [form('welcome', { flow: { api: 'moments', campaignId: SANDBOX_SEED.momentsCampaignId } })],
    })
    const result = await cli(['check'], { ...env, INFOBIP_AUTH: 'ibsso', FLOWFORM_CONFIG: file })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('IBSSO session (username and password) accepted')
    // One session for every probe, destroyed when the command ends.
    expect(server.requests.filter((r) => r.path === '/auth/1/session').map((r) => r.method)).toEqual(['POST', 'DELETE'])
    expect(
      server.requests
        .filter((r) => r.path !== '/auth/1/session')
        .every((r) => r.headers.authorization?.startsWith('IBSSO ')),
    ).toBe(true)
  })

  it('reports a bad config file with the server message (file, path, problem), exit 1', async () => {
    const file = configFile({
      forms: [{ id: 'Bad Id', allowedOrigins: [SHOP], fields: [{ name: 'email', type: 'email' }] }],
    })
    const result = await cli(['check'], { FLOWFORM_CONFIG: file })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^config\s+\S+\s+FAIL\s+invalid, see below$/m)
    expect(result.stdout).toContain(`Invalid config file ${file}:\n  at $.forms[0].id: must match [a-z0-9-]{1,64}`)
  })

  it('the flow probe trusts a Moments 40401 and makes no DELETE then', async () => {
    const server = await serve((req) => {
      const path = new URL(req.url).pathname
      if (path.startsWith('/moments/')) {
        return Response.json(
          { errorCode: '40401', errorMessage: 'Could not find active flow for campaign 200000000000001' },
          { status: 404 },
        )
      }
      return Response.json({ forms: [], offset: 0, limit: 1, total: 0 })
    })
    const file = configFile({ forms: [form('welcome', { flow: { api: 'moments', campaignId: '200000000000001' } })] })
    const result = await cli(['check'], { INFOBIP_BASE_URL: server.url, INFOBIP_API_KEY: 'k', FLOWFORM_CONFIG: file })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^flow\s+welcome → moments flow 200000000000001\s+FAIL\s+no active flow with this id: missing or inactive/m,
    )
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET'])
  })

  it('warns, without failing, when the probes cannot tell (no permission)', async () => {
    const server = await serve((req) => {
      const path = new URL(req.url).pathname
      if (path.startsWith('/moments/')) {
        return Response.json({ errorCode: '404', errorMessage: 'Could not find operation' }, { status: 404 })
      }
      if (path.startsWith('/communication/')) {
        return Response.json(
          { requestError: { serviceException: { messageId: 'FORBIDDEN', text: 'Forbidden' } } },
          { status: 403 },
        )
      }
      return Response.json({ forms: [], offset: 0, limit: 1, total: 0 })
    })
    const file = configFile({ forms: [form('welcome', { flow: { api: 'moments', campaignId: '200000000000001' } })] })
    const result = await cli(['check'], { INFOBIP_BASE_URL: server.url, INFOBIP_API_KEY: 'k', FLOWFORM_CONFIG: file })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^flow\s+.*\s+warn\s+probe failed: Infobip answered 403 FORBIDDEN/m)
    expect(result.stdout).toContain('All checks passed, with 1 warning.')
  })
})

describe('flowform rapidpro', () => {
  /** A tiny RapidPro: fields, groups and contacts in memory, answers shaped like API v2. */
  function rapidpro() {
    const fields: { key: string; name: string; type: string }[] = [
      { key: 'first_name', name: 'First name', type: 'text' },
    ]
    const groups: { uuid: string; name: string; query: null }[] = []
    const contacts = new Set(['mailto:ann@example.com'])
    const handler: RecordingHandler = async (req) => {
      const url = new URL(req.url)
      if (req.headers.get('authorization') !== 'Token rp-s3cret') {
        return Response.json({ detail: 'Invalid token' }, { status: 403 })
      }
      if (url.pathname === '/api/v2/fields.json' && req.method === 'GET') {
        return Response.json({ next: null, results: fields })
      }
      if (url.pathname === '/api/v2/fields.json' && req.method === 'POST') {
        const { name, type } = (await req.json()) as { name: string; type: string }
        const field = { key: name.toLowerCase().replace(/[^a-z0-9]+/g, '_'), name, type }
        fields.push(field)
        return Response.json(field, { status: 201 })
      }
      if (url.pathname === '/api/v2/groups.json' && req.method === 'GET') {
        return Response.json({ next: null, results: groups })
      }
      if (url.pathname === '/api/v2/groups.json' && req.method === 'POST') {
        const { name } = (await req.json()) as { name: string }
        const group = { uuid: `0000000${groups.length}-0000-4000-8000-000000000000`, name, query: null }
        groups.push(group)
        return Response.json(group, { status: 201 })
      }
      if (url.pathname === '/api/v2/contacts.json' && req.method === 'DELETE') {
        const urn = url.searchParams.get('urn') ?? ''
        return contacts.delete(urn)
          ? new Response(null, { status: 204 })
          : Response.json({ detail: 'Not found.' }, { status: 404 })
      }
      return Response.json({ detail: 'Not found.' }, { status: 404 })
    }
    return { handler, fields, groups }
  }

  const rapidproConfig = () =>
    configFile({
      forms: [
        {
          id: 'welcome',
          allowedOrigins: [SHOP],
          fields: [
            { name: 'email', type: 'email', required: true },
            { name: 'firstName', type: 'text' },
            { name: 'shoeSize', type: 'number' },
          ],
          rapidpro: { groups: ['Newsletter'] },
        },
      ],
    })

  it('sync creates the missing fields and groups of the form', async () => {
    const fake = rapidpro()
    const server = await serve(fake.handler)
    const env = { RAPIDPRO_BASE_URL: server.url, RAPIDPRO_TOKEN: 'rp-s3cret', FLOWFORM_CONFIG: rapidproConfig() }
    const result = await cli(['rapidpro', 'sync', '--form', 'welcome'], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('RapidPro is ready for form "welcome"')
    expect(result.stdout).toMatch(/groups created:\s+Newsletter/)
    expect(fake.groups.map((g) => g.name)).toEqual(['Newsletter'])
    expect(server.requests.every((r) => r.headers.authorization === 'Token rp-s3cret')).toBe(true)
    expect(result.stdout + result.stderr).not.toContain('rp-s3cret')
    const again = await cli(['rapidpro', 'sync', '--form', 'welcome'], env)
    expect(again.stdout).toMatch(/groups created:\s+\(none\)/)
  })

  it('delete erases the contact by email (exit 0), and says when there is none (exit 1)', async () => {
    const server = await serve(rapidpro().handler)
    const env = { RAPIDPRO_BASE_URL: server.url, RAPIDPRO_TOKEN: 'rp-s3cret' }
    const deleted = await cli(['rapidpro', 'delete', '--email', 'Ann@Example.com'], env)
    expect(deleted).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Deleted the RapidPro contact with email Ann@Example.com'),
    })
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/api/v2/contacts.json' })
    expect(server.requests[0]?.query.get('urn')).toBe('mailto:ann@example.com')
    const none = await cli(['rapidpro', 'delete', '--email', 'ann@example.com'], env)
    expect(none).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('RapidPro has no contact with email ann@example.com'),
    })
  })

  it('is off with live Infobip but no RapidPro settings, and refuses both identifiers at once', async () => {
    const liveInfobip = { INFOBIP_BASE_URL: 'https://xyz.api.infobip.com', INFOBIP_API_KEY: 'k' }
    expect(await cli(['rapidpro', 'delete', '--email', 'a@b.c'], liveInfobip)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('RapidPro is not configured'),
    })
    expect((await cli(['rapidpro', 'delete', '--email', 'a@b.c', '--phone', '1'])).code).toBe(2)
    const plain = configFile({ forms: [form('plain', { infobipFormId: SANDBOX_SEED.activeFormId })] })
    expect(await cli(['rapidpro', 'sync', '--form', 'plain'], { FLOWFORM_CONFIG: plain })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('has no "rapidpro" settings'),
    })
  })

  it('in sandbox mode, works against a fresh RapidPro fake and says so', async () => {
    const sync = await cli(['rapidpro', 'sync', '--form', 'welcome'])
    expect(sync.code).toBe(0)
    expect(sync.stderr).toContain('fresh in-process fake of RapidPro')
    expect(sync.stdout).toMatch(/groups existing:\s+Newsletter/)
    const check = await cli(['check'])
    expect(check.stdout).toMatch(/^rapidpro\s+RapidPro group "Newsletter" \(form welcome\)\s+ok/m)
    expect(check.code).toBe(0)
  })

  it('check includes the RapidPro rows', async () => {
    const server = await serve(rapidpro().handler)
    const result = await cli(['check'], {
      RAPIDPRO_BASE_URL: server.url,
      RAPIDPRO_TOKEN: 'rp-s3cret',
      FLOWFORM_CONFIG: rapidproConfig(),
    })
    expect(result.stdout).toMatch(/^rapidpro\s+RapidPro token\s+ok\s+accepted/m)
    expect(result.stdout).toMatch(/^rapidpro\s+RapidPro group "Newsletter" \(form welcome\)\s+FAIL\s+missing/m)
    expect(result.code).toBe(1)
  })
})
