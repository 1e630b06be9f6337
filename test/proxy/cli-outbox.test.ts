// The operator's outbox and erasure commands, run in-process (runCli) against the outbox file of a
// proxy that is running at the same time, as on a production host.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../proxy/cli/main'
import { maskedPerson, safeError } from '../../proxy/cli/outbox-format'
import { Outbox } from '../../proxy/delivery/outbox'
import { toPersonData } from '../../proxy/signup/person'
import { toRapidproContact } from '../../proxy/upstreams/rapidpro/contact'
import { createInfobipFake, SANDBOX_SEED } from '../../fakes/infobip-fake'
import { createRapidproFake } from '../../fakes/rapidpro-fake'
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { createTestProxy, SHOP, type TestProxy, type TestProxyOptions } from '../helpers/test-proxy'
import { tempDir } from '../helpers/temp-dir'

const MOMENTS = SANDBOX_SEED.momentsCampaignId
const LEGACY = SANDBOX_SEED.legacyCampaignId
const SERVER_ERROR = {
  status: 500,
  body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'x' } } },
}

let proxy: TestProxy | undefined
let servers: RecordingServer[] = []
afterEach(async () => {
  await proxy?.close()
  await Promise.all(servers.map((s) => s.close()))
  proxy = undefined
  servers = []
})

const cliDir = () => tempDir('cli-outbox')

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

/** A running proxy (sandbox, demo config) whose data directory the CLI is pointed at. */
async function running(
  runtime: TestProxyOptions['runtime'] = {},
): Promise<{ p: TestProxy; env: { FLOWFORM_DATA_DIR: string } }> {
  const dataDir = join(cliDir(), 'data')
  proxy = await createTestProxy({ env: { dataDir }, runtime })
  return { p: proxy, env: { FLOWFORM_DATA_DIR: dataDir } }
}

/** What the table printed for one delivery. */
const rowOf = (stdout: string, id: number) => stdout.split('\n').find((line) => line.startsWith(`${id} `)) ?? ''

describe('flowform outbox (summary), list and retry, next to the running proxy', () => {
  it('shows a failed delivery without personal data, and retry makes the running worker deliver it', async () => {
    const { p, env } = await running()
    p.fake?.setFlowStatus(LEGACY, 'INACTIVE')
    expect(
      (await p.submit('welcome-legacy', { email: 'Dina.Ross@example.com', phone: '+41 79 302 67 27' })).status,
    ).toBe(503)
    const [failed] = p.outbox.list({ status: 'failed' })
    const id = failed?.id ?? 0

    const summary = await cli(['outbox'], env)
    expect(summary.code).toBe(0)
    expect(summary.stdout).toMatch(/^TARGET\s+PENDING\s+AWAITING\s+FAILED\s+REJECTED\s+DONE$/m)
    expect(summary.stdout).toMatch(/^flow\s+0\s+0\s+1\s+0\s+0$/m)
    expect(summary.stdout).toMatch(/^all\s+0\s+0\s+1\s+0\s+0$/m)
    expect(summary.stdout).toContain('1 failed delivery needs the operator')

    const list = await cli(['outbox', 'list', '--status', 'failed'], env)
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^ID\s+FORM\s+TARGET\s+STATUS\s+ATTEMPTS\s+AGE\s+NEXT TRY\s+PERSON\s+LAST ERROR$/m)
    expect(rowOf(list.stdout, id)).toMatch(
      /^\d+\s+welcome-legacy\s+flow\s+failed\s+1\s+\d+s\s+-\s+d\*\*\*@example\.com\s+40005 /,
    )
    const printed = list.stdout + list.stderr + summary.stdout + summary.stderr
    for (const secret of ['dina', 'Dina', 'Ross', '41793026727', '302 67 27']) {
      expect(printed).not.toContain(secret)
    }

    p.fake?.setFlowStatus(LEGACY, 'ACTIVE')
    const retry = await cli(['outbox', 'retry', String(id)], env)
    expect(retry).toMatchObject({ code: 0, stdout: expect.stringContaining('Moved 1 failed delivery back to pending') })
    expect(p.outbox.get(id)).toMatchObject({ status: 'pending', attempts: 0, operatorRetries: 1 })
    expect(p.outbox.get(id)?.nextAttemptAt).toBeLessThanOrEqual(Date.now())
    await p.worker.runOnce()
    expect(p.outbox.get(id)).toMatchObject({ status: 'done', attempts: 1 })
    // The failed try before the operator's retry is in last_error; the list counts the one that delivered.
    expect(rowOf((await cli(['outbox', 'list'], env)).stdout, id)).toMatch(/^\d+\s+welcome-legacy\s+flow\s+done\s+1\s/)
    expect(p.fake?.flowParticipants(LEGACY)).toHaveLength(1)

    // Done now: not retried again, and said so.
    const again = await cli(['outbox', 'retry', String(id), '424242'], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`delivery ${id} is done, not failed`)
    expect(again.stderr).toContain('there is no delivery 424242')
    expect(again.stdout).toContain('Moved 0 failed deliveries back to pending.')
  })

  it('retries every failed delivery, or those of one form', async () => {
    const { p, env } = await running()
    p.fake?.setFlowStatus(LEGACY, 'INACTIVE')
    p.fake?.setFlowStatus(MOMENTS, 'INACTIVE')
    await p.submit('welcome-legacy', { email: 'a@example.com' })
    await p.submit('welcome-legacy', { email: 'b@example.com' })
    await p.submit('welcome', { email: 'c@example.com', consent: true })
    expect(p.outbox.count({ status: 'failed' })).toBe(3)
    expect((await cli(['outbox', 'retry', '--all-failed', '--form', 'welcome-legacy'], env)).stdout).toContain(
      'Moved 2 failed deliveries of form "welcome-legacy" back to pending',
    )
    expect(p.outbox.list({ status: 'failed' }).map((d) => d.formId)).toEqual(['welcome'])
    expect((await cli(['outbox', 'retry', '--all-failed'], env)).stdout).toContain(
      'Moved 1 failed delivery back to pending',
    )
    expect((await cli(['outbox', 'retry', '--all-failed'], env)).stdout).toContain(
      'No failed deliveries; nothing to retry.',
    )
  })

  it('lists newest first, filters by form and status, and says when --limit cut the list', async () => {
    const { p, env } = await running()
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      await p.submit('welcome-legacy', { email })
    }
    const limited = await cli(['outbox', 'list', '--limit', '2', '--form', 'welcome-legacy', '--status', 'DONE'], env)
    const ids = p.outbox.list().map((d) => d.id)
    expect(limited.stdout).toContain('Showing the newest 2 of 3 deliveries; --limit shows more.')
    const lines = limited.stdout.trim().split('\n')
    expect(lines[1]).toMatch(new RegExp(`^${ids[2]}\\s+welcome-legacy\\s+flow\\s+done\\s+1\\s+\\d+s\\s+-\\s+-\\s+-$`))
    expect(lines[2]?.startsWith(`${ids[1]} `)).toBe(true)
    expect((await cli(['outbox', 'list', '--form', 'nope'], env)).stdout).toContain('No deliveries.')
    expect((await cli(['outbox', 'list'], env)).stdout).toContain('3 deliveries.')
  })

  it('refuses wrong command lines with the usage (exit 2)', async () => {
    const { env } = await running()
    for (const argv of [
      ['outbox', 'retry'],
      ['outbox', 'retry', '1', '--all-failed'],
      ['outbox', 'retry', '1', '--form', 'welcome'],
      ['outbox', 'retry', 'abc'],
      ['outbox', 'retry', '0'],
      ['outbox', 'list', '--status', 'stuck'],
      ['outbox', 'list', '--limit', '0'],
      ['outbox', 'purge'],
      ['outbox', 'purge', '--done-older-than', '-1'],
      ['outbox', 'purge', '--done-older-than', 'week'],
      ['outbox', 'stats'],
    ]) {
      const result = await cli(argv, env)
      expect(result.code, argv.join(' ')).toBe(2)
      expect(result.stderr).toContain('Usage: flowform outbox')
    }
  })

  it('says where it looked when there is no outbox, and does not create one', async () => {
    const dataDir = join(cliDir(), 'typo')
    const result = await cli(['outbox'], { FLOWFORM_DATA_DIR: dataDir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`there is no outbox at ${join(dataDir, 'outbox.db')}`)
    expect(existsSync(dataDir)).toBe(false)
  })
})

describe('what the outbox commands print about a person', () => {
  it('masks the identifier and keeps emails and numbers out of error texts, but not ids in URL paths', () => {
    expect(
      maskedPerson({
        target: 'flow',
        payload: {
          flow: { api: 'moments', campaignId: '1' },
          personData: { person: {}, email: 'ann@example.com', phone: '41793026727' },
        },
      }),
    ).toBe('a***@example.com')
    const contact = { urn: 'tel:+41793026727', urns: ['tel:+41793026727'], body: {}, groups: [] }
    expect(maskedPerson({ target: 'rapidpro', payload: { contact, decides: true } })).toBe('41***27')
    expect(maskedPerson({ target: 'form-data', payload: null })).toBe('-')
    const text = safeError(
      'REJECTED (Ann@Example.com, +41 79 302 67 27) DELETE /communication/1/flows/200000000000001/participants?phone=41793026727 /people/ann@example.com',
    )
    expect(text).toContain('DELETE /communication/1/flows/200000000000001/participants?phone=[number] ')
    expect(text).not.toMatch(/ann|example|41793026727|302 67 27/i)
    expect(safeError(null)).toBe('-')
  })
})

/** Stored deliveries for tests where whom they are for does not matter. */
const FLOW = {
  flow: { api: 'legacy' as const, campaignId: '10159347' },
  personData: toPersonData({ email: 'x@example.com' }, { email: 'email' }),
}
const RAPIDPRO = { contact: toRapidproContact({ email: 'x@example.com' }, { email: 'email' }, {}), decides: false }
const FORM_DATA = { infobipFormId: 'f1', data: { email: 'x@example.com' }, fieldIds: ['email'] }

describe('flowform outbox purge', () => {
  it('deletes deliveries finished more than N days ago, done and rejected, and keeps the rest', async () => {
    const dataDir = cliDir()
    let now = Date.now() - 10 * 86_400_000
    const outbox = Outbox.open(dataDir, { now: () => now })
    const ids = outbox
      .add(
        's1',
        'welcome',
        [
          { target: 'flow', payload: FLOW },
          { target: 'rapidpro', payload: RAPIDPRO },
          { target: 'form-data', payload: FORM_DATA },
        ],
        0,
      )
      .map((d) => d.id)
    outbox.claimDue(10)
    outbox.complete(ids[0] ?? 0, 'enrolled')
    outbox.reject([ids[1] ?? 0], 'invalid values')
    outbox.fail(ids[2] ?? 0, 'x')
    now = Date.now()
    const [recent] = outbox.add('s2', 'welcome', [{ target: 'flow', payload: FLOW }], 0)
    outbox.claimDue(10)
    outbox.complete(recent?.id ?? 0, 'enrolled')
    const env = { FLOWFORM_DATA_DIR: dataDir }
    expect(await cli(['outbox', 'purge', '--done-older-than', '7'], env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Deleted 2 finished deliveries (done or rejected) older than 7 days.'),
    })
    expect(outbox.list().map((d) => d.status)).toEqual(['failed', 'done'])
    expect((await cli(['outbox', 'purge', '--done-older-than', '0'], env)).stdout).toContain(
      'Deleted 1 finished delivery',
    )
    outbox.close()
  })
})

describe('erasure reaches the outbox', () => {
  it('flowform erase stops every unfinished delivery of the person, on any target; the worker never sends them', async () => {
    // The outage below is the erasure's backdrop, not the breaker's test (upstream-health.test.ts):
    // the breakers stay closed, so the worker tries again as soon as the upstreams recover.
    const { p, env } = await running({ breaker: { failures: 1_000 } })
    p.fake?.failNext({ method: 'POST', path: /./ }, SERVER_ERROR, 100)
    p.rapidproFake?.failNext({ method: 'POST', path: /./ }, { status: 500 }, 100)
    const signups: [string, Record<string, unknown>][] = [
      ['welcome', { email: 'Ann@Example.com', firstName: 'Ann', consent: true }],
      ['newsletter', { email: 'ann@example.com', first_name: 'Ann', consent: true }],
      ['welcome-legacy', { email: 'bo@example.com', phone: '+41 79 302 67 27' }],
      ['welcome', { email: 'cy@example.com', consent: true }],
    ]
    for (const [form, values] of signups) {
      expect((await p.submit(form, values)).status).toBe(202)
    }
    const before = p.outbox.list()
    expect(before.map((d) => `${d.formId}/${d.target}/${d.status}`)).toEqual([
      'welcome/flow/pending',
      'welcome/rapidpro/pending',
      'newsletter/form-data/pending',
      'newsletter/flow/pending',
      'welcome-legacy/flow/pending',
      'welcome/flow/pending',
      'welcome/rapidpro/pending',
    ])

    const byEmail = await cli(['erase', '--email', 'ANN@example.com'], env)
    expect(byEmail.code).toBe(0)
    expect(byEmail.stdout).toMatch(
      /^outbox\s+\S+outbox\.db\s+ok\s+stopped 4 unfinished deliveries \(flow, rapidpro, form-data\) and deleted their data$/m,
    )
    expect(byEmail.stdout).toMatch(
      /^flow\s+moments flow 200000000000001 \(forms welcome, newsletter\)\s+ok\s+Infobip has no person/m,
    )
    expect(byEmail.stdout).toMatch(/^flow\s+legacy flow 10159347 \(form welcome-legacy\)\s+ok/m)
    expect(byEmail.stdout).toMatch(/^rapidpro\s+sandbox \(in-process fake\)\s+ok\s+no contact/m)
    expect(byEmail.stdout).toContain('Erasure done.')
    const byPhone = await cli(['erase', '--phone', '0041 79 302 67 27'], env)
    expect(byPhone.stdout).toMatch(/^outbox\s+.*ok\s+stopped 1 unfinished delivery \(flow\)/m)

    const erased = p.outbox.list({ status: 'rejected' })
    expect(erased.map((d) => d.id)).toEqual(before.slice(0, 5).map((d) => d.id))
    expect(erased.every((d) => d.lastError === 'erased by operator' && d.payload === null)).toBe(true)
    // Nobody can send them back: retry moves failed deliveries only.
    expect((await cli(['outbox', 'retry', String(erased[0]?.id)], env)).code).toBe(1)

    // The upstreams recover; the worker delivers what is left: Cy only.
    p.fake?.reset()
    p.rapidproFake?.reset()
    for (const d of p.outbox.list({ status: 'pending' })) {
      p.outbox.retryLater(d.id, 'test: due now', 0)
    }
    await p.worker.runOnce()
    await p.worker.runOnce()
    const emailsIn = (people: { person: { contactInformation?: { email?: { address: string }[] } } }[]) =>
      people.flatMap((x) => x.person.contactInformation?.email?.map((e) => e.address) ?? [])
    expect(emailsIn(p.fake?.flowParticipants(MOMENTS) ?? [])).toEqual(['cy@example.com'])
    expect(p.fake?.flowParticipants(LEGACY)).toEqual([])
    expect(p.fake?.formSubmissions(SANDBOX_SEED.activeFormId)).toEqual([])
    expect(p.rapidproFake?.contacts.flatMap((c) => c.urns)).toEqual(['mailto:cy@example.com'])
  })

  it('flow remove and rapidpro delete stop the outbox deliveries first and say how many', async () => {
    const dataDir = cliDir()
    const outbox = Outbox.open(dataDir)
    const people = { email: 'email', phone: 'phone' }
    outbox.add(
      's1',
      'welcome',
      [
        {
          target: 'flow',
          payload: {
            flow: { api: 'legacy' as const, campaignId: LEGACY },
            personData: { ...toPersonData({ email: 'ann@example.com' }, people) },
          },
        },
      ],
      0,
    )
    outbox.add(
      's2',
      'welcome',
      [
        {
          target: 'rapidpro',
          payload: { contact: { ...toRapidproContact({ phone: '+41 79 302 67 27' }, people, {}) }, decides: true },
        },
      ],
      0,
    )
    outbox.close()
    const config = join(cliDir(), 'flowform.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        forms: [
          {
            id: 'welcome',
            allowedOrigins: [SHOP],
            fields: [{ name: 'email', type: 'email' }],
            flow: { api: 'legacy' as const, campaignId: LEGACY },
          },
        ],
      }),
    )
    const env = { FLOWFORM_DATA_DIR: dataDir, FLOWFORM_CONFIG: config }

    const removed = await cli(['flow', 'remove', '--form', 'welcome', '--email', 'Ann@example.com'], env)
    expect(removed.stdout).toContain('Outbox: stopped 1 unfinished delivery (flow) and deleted their data.')
    const deleted = await cli(['rapidpro', 'delete', '--phone', '+41793026727'], env)
    expect(deleted.stdout).toContain('Outbox: stopped 1 unfinished delivery (rapidpro) and deleted their data.')
    const again = await cli(['rapidpro', 'delete', '--phone', '+41793026727'], env)
    expect(again.stdout).toContain('Outbox: no unfinished deliveries for this person.')
    const check = Outbox.open(dataDir)
    expect(check.counts()).toMatchObject({ rejected: 2, pending: 0 })
    check.close()
    // Without an outbox: said on stderr, the rest goes on.
    const none = await cli(['flow', 'remove', '--form', 'welcome', '--email', 'a@b.c'], { FLOWFORM_CONFIG: config })
    expect(none.stderr).toContain('flowform: outbox: there is no outbox at')
    expect(none.stderr).toContain('Infobip has no person with email a@b.c')
  })

  it('flowform erase against live upstreams: every flow once, the RapidPro contact; a flow that cannot be cleaned fails the run', async () => {
    const infobip = createInfobipFake({ credentials: { apiKey: 'ib-s3cret' } })
    const rapidpro = createRapidproFake({ token: 'rp-s3cret' })
    const ib = await startRecordingServer(infobip.fetch)
    const rp = await startRecordingServer(rapidpro.fetch)
    servers.push(ib, rp)
    await infobip.fetch(`${ib.url}/communication/1/flows/${LEGACY}/participants`, {
      method: 'POST',
      headers: { authorization: 'App ib-s3cret', 'content-type': 'application/json' },
      body: JSON.stringify({ personData: { contactInformation: { email: [{ address: 'ann@example.com' }] } } }),
    })
    await rapidpro.fetch(`${rp.url}/api/v2/contacts.json`, {
      method: 'POST',
      headers: { authorization: 'Token rp-s3cret', 'content-type': 'application/json' },
      body: JSON.stringify({ urns: ['mailto:ann@example.com'] }),
    })
    const form = (id: string, campaignId: string, api = 'legacy') => ({
      id,
      allowedOrigins: [SHOP],
      fields: [{ name: 'email', type: 'email' }],
      flow: { api, campaignId },
    })
    const config = join(cliDir(), 'flowform.config.json')
    const env = {
      INFOBIP_BASE_URL: ib.url,
      INFOBIP_API_KEY: 'ib-s3cret',
      RAPIDPRO_BASE_URL: rp.url,
      RAPIDPRO_TOKEN: 'rp-s3cret',
      FLOWFORM_CONFIG: config,
      FLOWFORM_DATA_DIR: cliDir(),
    }
    writeFileSync(
      config,
      JSON.stringify({ forms: [form('a', LEGACY), form('b', LEGACY), form('c', MOMENTS, 'moments')] }),
    )
    Outbox.open(env.FLOWFORM_DATA_DIR).close()
    const result = await cli(['erase', '--email', 'Ann@Example.com'], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^flow\s+legacy flow 10159347 \(forms a, b\)\s+ok\s+removed from the flow$/m)
    expect(result.stdout).toMatch(/^flow\s+moments flow 200000000000001 \(form c\)\s+ok\s+not in the flow$/m)
    expect(result.stdout).toMatch(
      new RegExp(`^rapidpro\\s+${rp.url.replace(/[.]/g, '\\.')}\\s+ok\\s+deleted the contact$`, 'm'),
    )
    expect(result.stdout).toContain('Erasure done.')
    expect(infobip.flowParticipants(LEGACY)).toEqual([])
    expect(rapidpro.contacts).toEqual([])
    expect(ib.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.query.get('email')])).toEqual([
      [`/communication/1/flows/${LEGACY}/participants`, 'ann@example.com'],
      [`/communication/1/flows/${MOMENTS}/participants`, 'ann@example.com'],
    ])
    expect(result.stdout + result.stderr).not.toMatch(/ib-s3cret|rp-s3cret/)

    writeFileSync(
      config,
      JSON.stringify({ forms: [form('a', LEGACY), form('paused', SANDBOX_SEED.inactiveCampaignId)] }),
    )
    const failing = await cli(['erase', '--email', 'ann@example.com'], env)
    expect(failing.code).toBe(1)
    expect(failing.stdout).toMatch(/^flow\s+legacy flow 200000000000002 \(form paused\)\s+FAIL\s+the flow is inactive/m)
    expect(failing.stdout).toContain('1 step failed: the person may still be stored there.')

    // Without the outbox the erasure is not complete: a queued signup could re-create the person.
    writeFileSync(config, JSON.stringify({ forms: [form('a', LEGACY)] }))
    const noOutbox = await cli(['erase', '--email', 'ann@example.com'], { ...env, FLOWFORM_DATA_DIR: cliDir() })
    expect(noOutbox.code).toBe(1)
    expect(noOutbox.stdout).toMatch(/^outbox\s+.*skip\s+there is no outbox/m)
    expect(noOutbox.stdout).toContain(
      'The outbox was not found: run this where the proxy runs, or set FLOWFORM_DATA_DIR',
    )
  })

  it('refuses erase without exactly one identifier (exit 2)', async () => {
    expect((await cli(['erase'])).code).toBe(2)
    expect((await cli(['erase', '--email', 'a@b.c', '--phone', '1'])).code).toBe(2)
    expect((await cli(['erase', '--phone', 'none'])).code).toBe(2)
    expect((await cli(['erase', '--email', 'notanemail'])).code).toBe(2)
    expect((await cli(['erase', '--phone', '12'])).code).toBe(2)
  })
})
