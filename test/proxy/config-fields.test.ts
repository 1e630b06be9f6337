import { afterEach, describe, expect, it } from 'vitest'
import { FlowformConfig } from '../../proxy/config/schema'
import { formFromConfig } from '../../proxy/forms/from-config'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { createTestProxy, SHOP, type TestProxy } from '../helpers/test-proxy'

/** The config's field types and keys that the widget draws (datetime, checkboxes, title, description, ...). */

const ORIGINS = ['https://shop.example.com']

const FLOW = { api: 'moments', campaignId: '200000000000001' }

function parse(fields: unknown[], extra: Record<string, unknown> = {}) {
  return FlowformConfig.safeParse({ forms: [{ id: 'f', allowedOrigins: ORIGINS, fields, flow: FLOW, ...extra }] })
}

function issues(result: ReturnType<typeof parse>): string[] {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('config fields', () => {
  it('accepts every type the widget draws and maps the new keys to the public definition', () => {
    const result = parse([
      { type: 'title', text: 'Join the club' },
      { type: 'description', text: 'Ten percent off.' },
      { name: 'email', type: 'email', required: true, label: 'Email' },
      { name: 'callAt', type: 'datetime', label: 'Call me at', min: '2026-01-01T09:00' },
      { name: 'topics', type: 'checkboxes', label: 'Topics', options: ['News', { label: 'Deals', value: 'deals' }] },
      { name: 'size', type: 'select', label: 'Size', options: [1, 2, 'XL'] },
      { name: 'nick', type: 'text', label: 'Nickname', forbiddenSymbols: ['<', '>'] },
      {
        name: 'consent',
        type: 'checkbox',
        label: 'Consent',
        checkboxText: 'I agree to receive emails',
        required: true,
      },
      { name: 'utm_source', type: 'hidden' },
    ])
    expect(issues(result)).toEqual([])
    const form = result.data?.forms[0]
    const definition = formFromConfig(form as never, form?.fields ?? [])
    expect(definition.fields).toEqual([
      { name: 'title-1', type: 'title', text: 'Join the club' },
      { name: 'description-2', type: 'description', text: 'Ten percent off.' },
      { name: 'email', type: 'email', required: true, label: 'Email' },
      { name: 'callAt', type: 'datetime', label: 'Call me at', min: '2026-01-01T09:00' },
      {
        name: 'topics',
        type: 'checkboxes',
        label: 'Topics',
        options: [
          { label: 'News', value: 'News' },
          { label: 'Deals', value: 'deals' },
        ],
      },
      {
        name: 'size',
        type: 'select',
        label: 'Size',
        options: [
          { label: '1', value: '1' },
          { label: '2', value: '2' },
          { label: 'XL', value: 'XL' },
        ],
      },
      { name: 'nick', type: 'text', label: 'Nickname', forbiddenSymbols: ['<', '>'] },
      {
        name: 'consent',
        type: 'checkbox',
        label: 'Consent',
        checkboxText: 'I agree to receive emails',
        required: true,
      },
      { name: 'utm_source', type: 'hidden' },
    ])
  })

  it('refuses what makes no sense, naming the path', () => {
    const result = parse([
      { name: 'topics', type: 'checkboxes', label: 'Topics' },
      { type: 'text', label: 'No name' },
      { type: 'title' },
      { name: 'email', type: 'email', text: 'Hello' },
      { name: 'first', type: 'text', checkboxText: 'Tick' },
    ])
    expect(issues(result)).toEqual([
      'forms.0.fields.0.options: a "checkboxes" field needs options',
      'forms.0.fields.1.name: a "text" field needs a name',
      'forms.0.fields.2.text: a "title" needs a text',
      'forms.0.fields.3.text: only a "title" or "description" takes "text"',
      'forms.0.fields.4.checkboxText: only a "checkbox" field takes "checkboxText"',
    ])
  })
})

describe('config texts', () => {
  const fields = [{ name: 'email', type: 'email' }]

  it('accepts flat text ids, language blocks and field texts', () => {
    const result = parse(fields, {
      texts: {
        submit: 'Join',
        'error.unknown': 'Not ours.',
        'field.email.label': 'Mail',
        de: { submit: 'Beitreten', 'field.email.placeholder': 'sie@beispiel.de' },
        'pt-BR': { 'status.enrolled': 'Valeu!' },
      },
    })
    expect(issues(result)).toEqual([])
  })

  it('refuses unknown text ids and languages without a table', () => {
    const result = parse(fields, {
      texts: { sumbit: 'Join', it: { submit: 'Iscriviti' }, de: { 'field.email.colour': 'red' } },
    })
    expect(issues(result)).toEqual([
      expect.stringMatching(/^forms\.0\.texts\.sumbit: is not a text id/),
      'forms.0.texts.it: is not a built-in language; use one of en, de, fr, es, pt-BR, hr',
      expect.stringMatching(/^forms\.0\.texts\.de\.field\.email\.colour: is not a text id/),
    ])
  })
})

describe('Infobip analytics headers', () => {
  let server: RecordingServer | undefined
  let proxy: TestProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await server?.close()
  })

  it('sends context.campaign as ib-submission-form-campaign and the page host as ib-submission-source', async () => {
    const fake = createInfobipFake({ credentials: { apiKey: 'live-key' } })
    server = await startRecordingServer((request) => fake.fetch(request))
    proxy = await createTestProxy({ infobip: { baseUrl: server.url, auth: { kind: 'app', apiKey: 'live-key' } } })
    const res = await proxy.submit(
      'newsletter',
      { email: 'fay@example.com', first_name: 'Fay', consent: true },
      { context: { campaign: 'spring-sale', page: `${SHOP}/beans`, locale: 'de' } },
    )
    expect(res.status).toBe(200)
    const data = server.requests.find(
      (r) => r.method === 'POST' && r.path === '/forms/1/forms/f7cf1606-e155-40eb-9721-78183d268d24/data',
    )
    expect(data?.headers['ib-submission-form-campaign']).toBe('spring-sale')
    expect(data?.headers['ib-submission-source']).toBe('shop.example.com')
  })
})
