// The proxy on FLOWFORM_DATABASE_URL (issue 10 items 2, 4 and 5): a signup is stored in PostgreSQL
// and answered "queued" at once, left to the workers (held by nobody), delivered by whichever
// instance's worker claims it; the operator's commands (outbox, consent, erase) open the same
// store and see every instance's signups. Sandbox mode: each instance has its in-process fake.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { describeUrl } from '../../proxy/delivery/open-store'
import { readEnv } from '../../proxy/config/env'
import { redact } from '../../proxy/common/redact'
import { freshDatabase } from '../helpers/postgres'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

const config = {
  forms: [
    {
      id: 'news',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email', required: true },
        { name: 'consent', type: 'checkbox', required: true, label: 'Yes, email me.' },
      ],
      flow: { api: 'moments', campaignId: '200000000000001' },
      confirmation: 'instant',
    },
  ],
}

let url = ''
beforeAll(async () => {
  url = await freshDatabase()
})
const proxies: TestProxy[] = []
afterEach(async () => {
  for (const p of proxies.splice(0)) {
    await p.close()
  }
})

async function instance(): Promise<TestProxy> {
  const p = await createTestProxy({ config, env: { databaseUrl: url } })
  proxies.push(p)
  return p
}

async function cli(argv: string[]) {
  let stdout = ''
  let stderr = ''
  const dir = tempDir('pg-cli')
  const configPath = join(dir, 'config.json')
  writeFileSync(configPath, JSON.stringify(config))
  const code = await runCli(argv, {
    env: { FLOWFORM_DATABASE_URL: url, FLOWFORM_CONFIG: configPath, FLOWFORM_DATA_DIR: join(dir, 'none') },
    cwd: dir,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}

describe('the proxy on PostgreSQL', () => {
  it("answers queued at once, leaves the signup to any instance's worker, and the CLI sees it", async () => {
    const a = await instance()
    const b = await instance()
    expect(a.store.kind).toBe('postgres')
    const res = await a.submit('news', { email: 'ann@example.com', consent: true })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'queued' })
    // Nobody delivered it in the request: pending, held by nobody.
    expect(await a.store.queue.counts()).toMatchObject({ pending: 1 })
    expect(a.fake?.requestCount).toBe(0)

    const summary = await cli(['outbox'])
    expect(summary.code).toBe(0)
    expect(summary.stdout).toContain(`Outbox ${describeUrl(url)}`)
    expect(summary.stdout).toMatch(/^flow\s+1\s+0\s+0\s+0\s+0$/m)
    const consent = await cli(['consent', '--email', 'ann@example.com'])
    expect(consent.code).toBe(0)
    expect(consent.stdout).toContain('Yes, email me.')

    // The other instance's worker delivers it (the batcher sends after its window).
    expect(await b.worker.runOnce()).toBe(1)
    expect(b.fake?.flowParticipants('200000000000001')).toHaveLength(1)
    expect(a.fake?.flowParticipants('200000000000001')).toHaveLength(0)
  })

  it('flowform erase stops what is queued for the person in the shared store and deletes their consent', async () => {
    const a = await instance()
    await a.submit('news', { email: 'bo@example.com', consent: true })
    const erased = await cli(['erase', '--email', 'bo@example.com'])
    expect(erased.stdout).toMatch(/^outbox\s+PostgreSQL .*ok\s+stopped 1 unfinished delivery \(flow\)/m)
    expect(erased.stdout).toMatch(/^consent\s+PostgreSQL .*ok\s+deleted 1 consent record/m)
    expect(await a.store.queue.counts()).toMatchObject({ pending: 0, rejected: 1 })
    expect(await a.store.queue.consents.of({ email: 'bo@example.com' })).toEqual([])
  })
})

describe('FLOWFORM_DATABASE_URL and FLOWFORM_WORKER', () => {
  it('takes a postgres URL, keeps its password out of what is printed, refuses other URLs', () => {
    const env = readEnv({ FLOWFORM_DATABASE_URL: 'postgres://flowform:s3cret-Passw0rd@db.internal:5432/flowform' })
    expect(env.databaseUrl).toBe('postgres://flowform:s3cret-Passw0rd@db.internal:5432/flowform')
    expect(env.worker).toBe(true)
    expect(redact('connect to flowform:s3cret-Passw0rd@db failed')).not.toContain('s3cret-Passw0rd')
    expect(describeUrl(env.databaseUrl ?? '')).toBe('PostgreSQL db.internal:5432/flowform')
    expect(() => readEnv({ FLOWFORM_DATABASE_URL: 'mysql://x@y/z' })).toThrow(
      /FLOWFORM_DATABASE_URL: must be a postgres/,
    )
  })

  it('FLOWFORM_WORKER=off makes an ingress-only instance, and only with the shared store', () => {
    expect(readEnv({ FLOWFORM_WORKER: 'off', FLOWFORM_DATABASE_URL: 'postgres://u@h/d' }).worker).toBe(false)
    expect(() => readEnv({ FLOWFORM_WORKER: 'off' })).toThrow(/FLOWFORM_WORKER: off needs FLOWFORM_DATABASE_URL/)
  })
})
