import { describe, expect, it } from 'vitest'
import { EnvError, readEnv } from '../../proxy/config/env'

const BASE = { INFOBIP_BASE_URL: 'https://xyz.api.infobip.com' }

function failure(source: Record<string, string>): string {
  try {
    readEnv(source)
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError)
    return (error as Error).message
  }
  throw new Error('expected readEnv to refuse the environment')
}

describe('environment: Infobip auth schemes', () => {
  it('uses Basic for a username and password by default, IBSSO with INFOBIP_AUTH=ibsso', () => {
    const user = { ...BASE, INFOBIP_USERNAME: 'shop', INFOBIP_PASSWORD: 'pw' }
    expect(readEnv(user).infobip?.auth).toEqual({ kind: 'basic', username: 'shop', password: 'pw' })
    expect(readEnv({ ...user, INFOBIP_AUTH: 'basic' }).infobip?.auth).toEqual({
      kind: 'basic',
      username: 'shop',
      password: 'pw',
    })
    expect(readEnv({ ...user, INFOBIP_AUTH: 'ibsso' }).infobip?.auth).toEqual({
      kind: 'ibsso',
      username: 'shop',
      password: 'pw',
    })
  })

  it('uses OAuth 2 client credentials with INFOBIP_CLIENT_ID and INFOBIP_CLIENT_SECRET', () => {
    expect(readEnv({ ...BASE, INFOBIP_CLIENT_ID: 'cid', INFOBIP_CLIENT_SECRET: 'csec' }).infobip).toEqual({
      baseUrl: BASE.INFOBIP_BASE_URL,
      auth: { kind: 'oauth', clientId: 'cid', clientSecret: 'csec' },
    })
  })

  it('refuses half-set client credentials, naming the missing variable only', () => {
    const message = failure({ ...BASE, INFOBIP_CLIENT_ID: 'cid-value' })
    expect(message).toContain('INFOBIP_CLIENT_SECRET: is required with INFOBIP_CLIENT_ID')
    expect(message).not.toContain('cid-value')
    expect(failure({ ...BASE, INFOBIP_CLIENT_SECRET: 'topsecret' })).not.toContain('topsecret')
  })

  it('refuses several kinds of credentials at once, without echoing any', () => {
    const message = failure({
      ...BASE,
      INFOBIP_API_KEY: 'key-s3cret',
      INFOBIP_CLIENT_ID: 'cid',
      INFOBIP_CLIENT_SECRET: 'sec-s3cret',
    })
    expect(message).toContain('set one kind of Infobip credentials')
    expect(message).toContain('INFOBIP_API_KEY and INFOBIP_CLIENT_ID/INFOBIP_CLIENT_SECRET')
    expect(message).not.toMatch(/s3cret|cid\b/)
    expect(failure({ ...BASE, INFOBIP_API_KEY: 'k', INFOBIP_USERNAME: 'u', INFOBIP_PASSWORD: 'p' })).toContain(
      'INFOBIP_API_KEY and INFOBIP_USERNAME/INFOBIP_PASSWORD',
    )
  })

  it('refuses INFOBIP_AUTH without a username and password, and unknown values', () => {
    expect(failure({ ...BASE, INFOBIP_API_KEY: 'k', INFOBIP_AUTH: 'ibsso' })).toContain(
      'INFOBIP_AUTH: chooses how INFOBIP_USERNAME and INFOBIP_PASSWORD are used',
    )
    expect(failure({ ...BASE, INFOBIP_USERNAME: 'u', INFOBIP_PASSWORD: 'p', INFOBIP_AUTH: 'oauth' })).toContain(
      'INFOBIP_AUTH: must be "basic" or "ibsso"',
    )
  })

  it('still wants a base URL with OAuth credentials, and credentials with a base URL', () => {
    expect(failure({ INFOBIP_CLIENT_ID: 'c', INFOBIP_CLIENT_SECRET: 's' })).toContain(
      'INFOBIP_BASE_URL: is required when Infobip credentials are set',
    )
    expect(failure(BASE)).toContain('INFOBIP_CLIENT_ID and INFOBIP_CLIENT_SECRET')
  })
})

describe('environment: variables that go together', () => {
  it('names the missing half of a username and password', () => {
    expect(failure({ ...BASE, INFOBIP_USERNAME: 'shop' })).toContain(
      'INFOBIP_PASSWORD: is required with INFOBIP_USERNAME',
    )
    expect(failure({ ...BASE, INFOBIP_PASSWORD: 'pw' })).toContain(
      'INFOBIP_USERNAME: is required with INFOBIP_PASSWORD',
    )
  })

  it('wants the notify URL and its secret together, within Infobip’s 1000 characters', () => {
    const secret = 'a-secret-of-16-chars'
    expect(failure({ FLOWFORM_NOTIFY_URL: 'https://shop.example/hook' })).toContain(
      'FLOWFORM_NOTIFY_SECRET: FLOWFORM_NOTIFY_URL and FLOWFORM_NOTIFY_SECRET go together',
    )
    const long = `https://shop.example/${'h'.repeat(990)}`
    expect(failure({ FLOWFORM_NOTIFY_URL: long, FLOWFORM_NOTIFY_SECRET: secret })).toContain(
      'FLOWFORM_NOTIFY_URL: with its secret must stay within 1000 characters',
    )
    expect(() =>
      readEnv({ FLOWFORM_NOTIFY_URL: 'https://shop.example/hook', FLOWFORM_NOTIFY_SECRET: secret }),
    ).not.toThrow()
  })

  it('wants the RapidPro base URL and token together', () => {
    expect(failure({ RAPIDPRO_BASE_URL: 'https://rapidpro.example' })).toContain(
      'RAPIDPRO_TOKEN: RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN go together',
    )
    expect(failure({ RAPIDPRO_TOKEN: 't' })).toContain('RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN go together')
  })
})
