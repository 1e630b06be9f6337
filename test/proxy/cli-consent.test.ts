// `flowform consent` and the consent step of `flowform erase`, run in-process (runCli) against the
// outbox file of a proxy that is running at the same time.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

const TEXT_DE = 'Ja, ich möchte E-Mails erhalten.\nAbmeldung jederzeit.'

const config = {
  forms: [
    {
      id: 'news',
      allowedOrigins: [SHOP],
      fields: [
        { name: 'email', type: 'email' },
        { name: 'phone', type: 'tel' },
        { name: 'consent', type: 'checkbox', required: true, label: 'Yes, email me.' },
      ],
      flow: { api: 'legacy', campaignId: '10159347' },
      texts: { de: { 'field.consent.label': TEXT_DE } },
    },
  ],
}

let proxy: TestProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const cliDir = () => tempDir('cli-consent')

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    env,
    cwd: cliDir(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}

async function running(): Promise<{ p: TestProxy; env: Record<string, string> }> {
  const dir = cliDir()
  const dataDir = join(dir, 'data')
  proxy = await createTestProxy({ config, env: { dataDir } })
  const configPath = join(dir, 'config.json')
  writeFileSync(configPath, JSON.stringify(config))
  return { p: proxy, env: { FLOWFORM_DATA_DIR: dataDir, FLOWFORM_CONFIG: configPath } }
}

describe('flowform consent', () => {
  it("prints each of the person's records (form, time, locale, version, page, text as shown); exit 0", async () => {
    const { p, env } = await running()
    const page = 'https://shop.example.com/de/anmelden'
    await p.submit('news', { email: 'Ann@Example.com', consent: true }, { context: { locale: 'de', page } })
    await p.submit('news', { email: 'ann@example.com', phone: '+41 79 302 67 27', consent: true })
    await p.submit('news', { email: 'bo@example.com', consent: true })
    const [first, second] = p.outbox.consents.of({ email: 'ann@example.com' })

    const result = await cli(['consent', '--email', 'ANN@example.com'], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('2 consent records for email ann@example.com:')
    expect(result.stdout).toContain(
      [
        'form     news',
        `time     ${new Date(first?.acceptedAt ?? 0).toISOString()}`,
        'locale   de',
        `version  ${first?.version}`,
        `page     ${page}`,
        'text     [consent] Ja, ich möchte E-Mails erhalten.',
        '           Abmeldung jederzeit.',
      ].join('\n'),
    )
    expect(result.stdout).toContain(`time     ${new Date(second?.acceptedAt ?? 0).toISOString()}\nlocale   en`)
    expect(result.stdout).not.toContain('bo@example.com')

    const byPhone = await cli(['consent', '--phone', '0041 79 302 67 27'], env)
    expect(byPhone.code).toBe(0)
    expect(byPhone.stdout).toContain('1 consent record for phone 41793026727:')
    expect(byPhone.stdout).toContain('text     [consent] Yes, email me.')
  })

  it('exits 1 for nobody and for a missing outbox, 2 for a bad identifier; --help shows the usage', async () => {
    const { env } = await running()
    expect(await cli(['consent', '--email', 'cy@example.com'], env)).toMatchObject({
      code: 1,
      stdout: 'No consent records for email cy@example.com.\n',
    })
    const missing = await cli(['consent', '--email', 'cy@example.com'], { FLOWFORM_DATA_DIR: join(cliDir(), 'none') })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('there is no outbox at')
    expect((await cli(['consent'], env)).code).toBe(2)
    expect((await cli(['consent', '--email', 'notanemail'], env)).code).toBe(2)
    expect((await cli(['consent', '--phone', '12'], env)).code).toBe(2)
    expect((await cli(['consent', '--email', 'a@b.c', '--phone', '41793026727'], env)).code).toBe(2)
    expect(await cli(['consent', '--help'])).toMatchObject({
      code: 0,
      stdout: 'Usage: flowform consent (--email <address> | --phone <number>)\n',
    })
    expect((await cli(['--help'])).stdout).toContain('flowform consent (--email')
  })
})

describe('flowform erase and consent records', () => {
  it("deletes the person's consent records and says how many; others stay", async () => {
    const { p, env } = await running()
    await p.submit('news', { email: 'ann@example.com', consent: true })
    await p.submit('news', { email: 'ann@example.com', consent: true }, { context: { locale: 'de' } })
    await p.submit('news', { email: 'bo@example.com', consent: true })

    const erased = await cli(['erase', '--email', 'ann@example.com'], env)
    expect(erased.stdout).toMatch(/^consent\s+\S+outbox\.db\s+ok\s+deleted 2 consent records$/m)
    expect(p.outbox.consents.of({ email: 'ann@example.com' })).toEqual([])
    expect(p.outbox.consents.of({ email: 'bo@example.com' })).toHaveLength(1)
    expect((await cli(['consent', '--email', 'ann@example.com'], env)).code).toBe(1)

    const again = await cli(['erase', '--email', 'ann@example.com'], env)
    expect(again.stdout).toMatch(/^consent\s+\S+outbox\.db\s+ok\s+no consent records$/m)
  })
})
