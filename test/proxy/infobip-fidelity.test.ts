// Infobip as its published OpenAPI document (shared/reference/infobip-openapi) states it: the
// proxy sends nothing outside it, and the fake refuses what it does not allow.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createInfobipFake, defaultForms, MOMENTS_REJECTIONS, SANDBOX_SEED } from '../../fakes/infobip-fake'
import { runCli } from '../../proxy/cli/main'
import { legacyOutcome } from '../../proxy/delivery/targets/legacy-flow'
import { preferredLanguage, toPersonData } from '../../proxy/signup/person'
import { InfobipHttpError } from '../../proxy/upstreams/infobip/errors'
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { tempDir } from '../helpers/temp-dir'

const BASE = 'https://api.infobip.example'
const APP = { authorization: 'App key' }
const servers: RecordingServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    env,
    cwd: tempDir('cli'),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  })
  return { code, stdout, stderr }
}

describe('forms list', () => {
  it('filters CSAT and WA_FLOW locally: the spec allows neither as formType', async () => {
    const fake = createInfobipFake({
      forms: [
        { ...defaultForms()[0]!, id: 'a1', name: 'Survey', formType: 'CSAT' },
        { ...defaultForms()[0]!, id: 'b2', name: 'Opt in', formType: 'OPT_IN' },
      ],
    })
    const server = await startRecordingServer(fake.fetch)
    servers.push(server)
    const env = { INFOBIP_BASE_URL: server.url, INFOBIP_API_KEY: 'key' }
    const csat = await cli(['forms', 'list', '--type', 'CSAT'], env)
    expect(csat.code).toBe(0)
    expect(csat.stdout).toContain('Survey')
    expect(csat.stdout).not.toContain('Opt in')
    expect(server.requests.every((r) => !r.query.has('formType'))).toBe(true)
    await cli(['forms', 'list', '--type', 'OPT_IN'], env)
    expect(server.requests.at(-1)?.query.get('formType')).toBe('OPT_IN')
    // And the fake refuses what the spec does not allow, as Infobip may.
    const refused = await fake.fetch(`${BASE}/forms/1/forms?formType=WA_FLOW`, { headers: APP })
    expect(refused.status).toBe(400)
  })
})

describe('flowform check and the Forms endpoints', () => {
  it('says an API key is needed when IBSSO is refused on get form, and ends the session', async () => {
    const fake = createInfobipFake({ credentials: { username: 'shop', password: 'pw' } })
    const server = await startRecordingServer(fake.fetch)
    servers.push(server)
    const file = join(tempDir('cfg'), 'flowform.config.json')
    writeFileSync(
      file,
      JSON.stringify({
        forms: [{ id: 'news', allowedOrigins: ['https://shop.example'], infobipFormId: SANDBOX_SEED.activeFormId }],
      }),
    )
    const env = {
      INFOBIP_BASE_URL: server.url,
      INFOBIP_USERNAME: 'shop',
      INFOBIP_PASSWORD: 'pw',
      INFOBIP_AUTH: 'ibsso',
      FLOWFORM_CONFIG: file,
    }
    const result = await cli(['check'], env)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^infobip form\s+news → \S+\s+FAIL\s+IBSSO session .* refused \(401\): an API key is needed/m,
    )
    expect(result.stdout).toContain('set INFOBIP_API_KEY')
    const sessions = server.requests.filter((r) => r.path === '/auth/1/session')
    // Every session minted was destroyed before the command returned.
    expect(sessions.filter((r) => r.method === 'DELETE').length).toBe(
      sessions.filter((r) => r.method === 'POST').length,
    )
  })
})

describe('legacy 40003 and person attributes', () => {
  const error = (message: string) =>
    new InfobipHttpError('POST', '/communication/1/flows/1/participants', 400, '40003', message, undefined)
  const data = toPersonData(
    { mail: 'ann@example.com', tel: '+41793026727', dob: '1990-01-02', town: 'Zagreb' },
    { mail: 'email', tel: 'phone', dob: 'birthDate', town: 'city' },
  )

  it('puts a 40003 on the field its message names', () => {
    expect(legacyOutcome(error('Error creating person: birthDate: Invalid date.'), data)).toEqual({
      kind: 'invalid',
      fields: { dob: ['Please check this value.'] },
    })
    expect(legacyOutcome(error('Error updating person: city: too long'), data)).toMatchObject({
      fields: { town: expect.any(Array) },
    })
    expect(legacyOutcome(error('Error updating person: msisdn: Number is invalid.'), data)).toMatchObject({
      fields: { tel: ['Please check this phone number.'] },
    })
    expect(legacyOutcome(error('Error creating person: email: Email address is invalid.'), data)).toMatchObject({
      fields: { mail: ['Please check this email address.'] },
    })
  })

  it('puts a 40003 that names no field on the form, not on the email', () => {
    expect(legacyOutcome(error('Person manipulation failed'), data)).toEqual({
      kind: 'invalid',
      fields: { _form: ['Please check your details and try again.'] },
    })
  })

  it('sends preferredLanguage as xx or xx-YY, and birthDate as YYYY-MM-DD, or leaves them out', () => {
    expect(preferredLanguage('en_gb')).toBe('en-GB')
    expect(preferredLanguage('de-Latn-CH')).toBe('de-CH')
    expect(preferredLanguage('iw')).toBe('he')
    expect(preferredLanguage('english')).toBeUndefined()
    expect(preferredLanguage('fil')).toBeUndefined()
    const person = (values: Record<string, string>) =>
      toPersonData({ mail: 'a@b.co', ...values }, { mail: 'email', lang: 'preferredLanguage', dob: 'birthDate' }).person
    expect(person({ lang: 'english', dob: '1990-02-30' })).not.toHaveProperty('preferredLanguage')
    expect(person({ lang: 'english', dob: '1990-02-30' })).not.toHaveProperty('birthDate')
    expect(person({ lang: 'pt_br', dob: '1990-02-28T10:00' })).toMatchObject({
      preferredLanguage: 'pt-BR',
      birthDate: '1990-02-28',
    })
  })
})

describe('the Infobip fake, Moments', () => {
  const add = (fake: ReturnType<typeof createInfobipFake>, emails: string[]) =>
    fake.fetch(`${BASE}/moments/1/flows/${SANDBOX_SEED.momentsCampaignId}/participants`, {
      method: 'POST',
      headers: { ...APP, 'content-type': 'application/json' },
      body: JSON.stringify({
        participants: emails.map((identifier) => ({ identifyBy: { identifier, type: 'EMAIL' } })),
      }),
    })

  it('can reject with each of the seven reasons the spec names', async () => {
    const fake = createInfobipFake()
    for (const reason of MOMENTS_REJECTIONS) {
      fake.rejectNext(reason, { identifier: `${reason.toLowerCase()}@example.com` })
    }
    const emails = MOMENTS_REJECTIONS.map((r) => `${r.toLowerCase()}@example.com`)
    const { operationId } = (await (await add(fake, [...emails, 'ok@example.com'])).json()) as { operationId: string }
    const report = fake.report(operationId)
    expect(report?.participants.map((p) => p.errorReason ?? p.status)).toEqual([...MOMENTS_REJECTIONS, 'ACCEPTED'])
  })

  it('turns participants final one by one over time (injected clock)', async () => {
    let t = 1_000
    const fake = createInfobipFake({ now: () => t, reportDelayMs: 1_000 })
    const { operationId } = (await (await add(fake, ['a@x.co', 'b@x.co', 'c@x.co', 'd@x.co'])).json()) as {
      operationId: string
    }
    const statuses = () => fake.report(operationId)?.participants.map((p) => p.status)
    expect(statuses()).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING'])
    t += 500
    expect(statuses()).toEqual(['ACCEPTED', 'ACCEPTED', 'PENDING', 'PENDING'])
    t += 500
    expect(statuses()).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED'])
    await fake.settled()
  })

  it('answers errorCode as an integer and the report 404 without an invented body', async () => {
    const fake = createInfobipFake()
    const none = await add(fake, [])
    expect(await none.json()).toEqual({
      errorCode: 400,
      errorMessage: 'Number of participants must be between 1 and 1000. Received: 0',
    })
    const report = await fake.fetch(
      `${BASE}/moments/1/flows/${SANDBOX_SEED.momentsCampaignId}/participants/report?operationId=nope`,
      { headers: APP },
    )
    expect(report.status).toBe(404)
    expect(await report.text()).toBe('')
  })
})
