import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../proxy/config/load'
import { EnvError, readEnv } from '../../proxy/config/env'
import { DEFAULTS } from '../../proxy/config/defaults'
import { tempDir } from '../helpers/temp-dir'

function writeConfig(content: string): string {
  const dir = tempDir('config')
  const file = join(dir, 'flowform.config.json')
  writeFileSync(file, content)
  return file
}

const validForm = {
  id: 'welcome',
  allowedOrigins: ['https://shop.example.com'],
  fields: [
    { name: 'email', type: 'email', required: true, label: 'Email' },
    { name: 'firstName', type: 'text', label: 'First name' },
    { name: 'consent', type: 'checkbox', required: true, label: 'I agree to receive emails' },
  ],
  infobipFormId: 'f7cf1606-e155-40eb-9721-78183d268d24',
  flow: { api: 'moments', campaignId: '200000000000001' },
  rapidpro: { groups: ['Newsletter'], language: 'eng' },
  tags: ['Newsletter'],
}

describe('config file', () => {
  it('accepts the contract example', () => {
    const file = writeConfig(JSON.stringify({ forms: [validForm] }))
    const { config, source } = loadConfig({ path: file, demoOrigins: [] })
    expect(source).toBe(file)
    expect(config.forms[0]?.flow).toEqual({ api: 'moments', campaignId: '200000000000001' })
  })

  it('names the file, the JSON path and the problem', () => {
    const file = writeConfig(
      JSON.stringify({
        forms: [{ ...validForm, allowedOrigins: ['https://shop.example.com', 'https://shop.example.com/path'] }],
      }),
    )
    expect(() => loadConfig({ path: file, demoOrigins: [] })).toThrow(ConfigError)
    try {
      loadConfig({ path: file, demoOrigins: [] })
    } catch (error) {
      const message = (error as Error).message
      expect(message).toContain(file)
      expect(message).toContain('$.forms[0].allowedOrigins[1]')
      expect(message).toMatch(/origin/)
    }
  })

  it('refuses unknown keys, bad ids, duplicate ids and a flow without an identity field', () => {
    const file = writeConfig(
      JSON.stringify({
        forms: [
          { ...validForm, colour: 'red' },
          { ...validForm, id: 'Bad Id' },
          { ...validForm, id: 'welcome' },
          {
            id: 'noid',
            allowedOrigins: ['https://a.example'],
            fields: [{ name: 'firstName', type: 'text' }],
            flow: { api: 'legacy', campaignId: 1 },
          },
        ],
      }),
    )
    let message = ''
    try {
      loadConfig({ path: file, demoOrigins: [] })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('$.forms[0]')
    expect(message).toContain('colour')
    expect(message).toContain('$.forms[1].id')
    expect(message).toContain('$.forms[2].id: duplicate form id "welcome"')
    expect(message).toContain('$.forms[3].fields')
  })

  it('reports invalid JSON with the file name', () => {
    const file = writeConfig('{ "forms": [ }')
    expect(() => loadConfig({ path: file, demoOrigins: [] })).toThrow(
      /Invalid config file .*flowform\.config\.json:\n {2}at line 1, column 14: not valid JSON/,
    )
  })

  it('reports a missing file', () => {
    expect(() => loadConfig({ path: '/nonexistent/flowform.json', demoOrigins: [] })).toThrow(
      /Cannot read config file .*ENOENT/,
    )
  })

  it('falls back to the built-in demo config with the given origins', () => {
    const dir = tempDir('empty')
    const { config, source } = loadConfig({ cwd: dir, demoOrigins: ['http://127.0.0.1:9999'] })
    expect(source).toBeNull()
    expect(config.forms.map((f) => f.id)).toContain('welcome')
    expect(config.forms[0]?.allowedOrigins).toEqual(['http://127.0.0.1:9999'])
  })

  it('picks ./flowform.config.json when present', () => {
    const file = writeConfig(JSON.stringify({ forms: [validForm] }))
    const { source } = loadConfig({ cwd: join(file, '..'), demoOrigins: [] })
    expect(source).toBe(file)
  })
})

describe('environment', () => {
  it('is sandbox without credentials', () => {
    const env = readEnv({})
    expect(env.infobip).toBeNull()
    expect(env.port).toBe(8787)
    expect(env.host).toBe('127.0.0.1')
    expect(env.dataDir).toBe('./.flowform')
  })

  it('takes the contract defaults from config/defaults.ts', () => {
    const env = readEnv({})
    expect(env.rateLimits).toEqual({ submissionsPerMinute: 20, viewsPerMinute: 120 })
    expect(env.logLevel).toBe('info')
    expect(DEFAULTS).toMatchObject({ port: 8787, host: '127.0.0.1', submissionsPerMinute: 20, viewsPerMinute: 120 })
    expect(readEnv({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug')
    expect(() => readEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL: must be one of fatal, error, warn/)
  })

  it('prefers an API key, else Basic', () => {
    expect(readEnv({ INFOBIP_BASE_URL: 'http://127.0.0.1:1', INFOBIP_API_KEY: 'k' }).infobip?.auth).toEqual({
      kind: 'app',
      apiKey: 'k',
    })
    expect(
      readEnv({ INFOBIP_BASE_URL: 'http://127.0.0.1:1', INFOBIP_USERNAME: 'u', INFOBIP_PASSWORD: 'p' }).infobip?.auth,
    ).toEqual({ kind: 'basic', username: 'u', password: 'p' })
  })

  it('refuses half-set credentials without echoing secrets', () => {
    let message = ''
    try {
      readEnv({ INFOBIP_BASE_URL: 'http://127.0.0.1:1', INFOBIP_USERNAME: 'someone' })
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError)
      message = (error as Error).message
    }
    expect(message).toContain('INFOBIP_PASSWORD')
    expect(message).not.toContain('someone')
    expect(() => readEnv({ INFOBIP_API_KEY: 'secret-key' })).toThrow(/INFOBIP_BASE_URL/)
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT: must be a port number/)
  })
})
