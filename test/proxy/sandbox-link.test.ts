// Issue 11 item 8: in sandbox mode the operator CLI acts on the fakes of the sandbox proxy that is
// running (a real server on loopback, the CLI in-process), so `erase` right after a demo signup
// finds that person. The fakes are served only to loopback peers with the token of sandbox.json.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { createMemoryLogger } from '../../proxy/common/log'
import { readEnv } from '../../proxy/config/env'
import { type RunningServer, startServer } from '../../proxy/server'
import { sandboxUpstreamsRoute } from '../../proxy/http/routes/sandbox-upstreams'
import { readSandboxLink, SANDBOX_TOKEN_HEADER, writeSandboxLink } from '../../proxy/upstreams/sandbox-link'
import { infobipFakeOf } from '../../fakes/infobip-fake'
import { TEST_TOKEN_SECRET, testToken } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

let running: RunningServer | undefined
afterEach(async () => {
  await running?.close(0)
  running = undefined
})

async function startSandbox(dataDir: string): Promise<RunningServer> {
  const env = readEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    FLOWFORM_DATA_DIR: dataDir,
    FLOWFORM_TOKEN_SECRET: TEST_TOKEN_SECRET,
  })
  running = await startServer({ env, log: createMemoryLogger().log })
  return running
}

async function cli(argv: string[], dataDir: string) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    env: { FLOWFORM_DATA_DIR: dataDir },
    cwd: dataDir,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}

describe('the CLI and the running sandbox', () => {
  it('erases a demo signup from the running sandbox: its flow, its outbox rows and its consent', async () => {
    const dataDir = tempDir('sandbox-link')
    const server = await startSandbox(dataDir)
    expect(statSync(join(dataDir, 'sandbox.json')).mode & 0o777).toBe(0o600)

    const answer = await fetch(`${server.url}/v1/forms/welcome/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({
        values: { email: 'ana@example.com', firstName: 'Ana', consent: true },
        token: testToken('welcome'),
      }),
    })
    expect(answer.status).toBeLessThan(300)
    const fake = infobipFakeOf(server.runtime.fake)
    const campaign = server.runtime.loaded.config.forms.find((f) => f.id === 'welcome')?.flow?.campaignId ?? ''
    const inFlow = () =>
      fake?.flowParticipants(campaign).some((p) => JSON.stringify(p.person).includes('ana@example.com'))
    await expect.poll(inFlow).toBe(true)

    const erased = await cli(['erase', '--email', 'ana@example.com'], dataDir)
    expect(erased.stderr).toContain(`acting on the fakes of the sandbox proxy running at ${server.url}`)
    expect(erased.stdout).toContain('removed from the flow')
    expect(erased.code).toBe(0)
    expect(inFlow()).toBe(false)
  })

  it('falls back to a fresh fake, and says so, when no sandbox runs on the data directory', async () => {
    const dataDir = tempDir('sandbox-link')
    // A link left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
    writeSandboxLink(dataDir, { url: 'http://127.0.0.1:9', pid: 4_194_305, token: 'gone' })
    expect(readSandboxLink(dataDir)).toBeNull()
    const listed = await cli(['forms', 'list'], dataDir)
    expect(listed.stderr).toContain('a fresh in-process fake of Infobip answers')
  })

  it('removes its link when it stops', async () => {
    const dataDir = tempDir('sandbox-link')
    const server = await startSandbox(dataDir)
    expect(readSandboxLink(dataDir)?.url).toBe(server.url)
    await server.close(0)
    running = undefined
    expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(false)
  })
})

describe('/sandbox/* (http/routes/sandbox-upstreams.ts)', () => {
  const seen: string[] = []
  const route = sandboxUpstreamsRoute({
    infobip: {
      fetch: async (request) => {
        seen.push(`${request.method} ${new URL(request.url).pathname}${new URL(request.url).search}`)
        return Response.json({ ok: true, token: request.headers.get(SANDBOX_TOKEN_HEADER) })
      },
    },
    rapidpro: null,
    token: 'right-token',
  })
  const call = (path: string, peer: string | undefined, token?: string) =>
    route.fetch(
      new Request(`http://127.0.0.1${path}`, { headers: token ? { [SANDBOX_TOKEN_HEADER]: token } : {} }),
      peer === undefined ? {} : { incoming: { socket: { remoteAddress: peer } } },
    )

  it('forwards a loopback peer with the token to the fake, without the token', async () => {
    const answer = await call('/infobip/moments/1/flows/7/participants?x=1', '127.0.0.1', 'right-token')
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ ok: true, token: null })
    expect(seen).toEqual(['GET /moments/1/flows/7/participants?x=1'])
    expect((await call('/infobip/x', '::1', 'right-token')).status).toBe(200)
    expect((await call('/infobip/x', '::ffff:127.0.0.1', 'right-token')).status).toBe(200)
  })

  it('answers 404 to another peer, a wrong or missing token, no socket, or an upstream that is off', async () => {
    seen.length = 0
    for (const [path, peer, token] of [
      ['/infobip/x', '203.0.113.9', 'right-token'],
      ['/infobip/x', '127.0.0.1', 'wrong-token'],
      ['/infobip/x', '127.0.0.1', undefined],
      ['/infobip/x', undefined, 'right-token'],
      ['/rapidpro/x', '127.0.0.1', 'right-token'],
      ['/other/x', '127.0.0.1', 'right-token'],
    ] as const) {
      expect((await call(path, peer, token)).status, `${path} ${peer} ${token}`).toBe(404)
    }
    expect(seen).toEqual([])
  })
})
