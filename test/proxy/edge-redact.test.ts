import type { ProxyEnv } from '../../proxy/config/env'
import { describe, expect, it } from 'vitest'
import { createMemoryLogger } from '../../proxy/common/log'
import {
  addEnvSecrets,
  addMintedSecret,
  addSecrets,
  basicAuthSecret,
  redact,
  REDACTED,
} from '../../proxy/common/redact'
import { readEnv } from '../../proxy/config/env'
import { ibssoAuth } from '../../proxy/upstreams/infobip/token-auth'

describe('redact (the one redaction of secrets)', () => {
  it('takes every secret of the environment out, with the Basic-auth form of the password', () => {
    readEnv({
      INFOBIP_BASE_URL: 'https://x.api.infobip.com',
      INFOBIP_USERNAME: 'shop',
      INFOBIP_PASSWORD: 'env-pass-1',
      RAPIDPRO_BASE_URL: 'https://rapidpro.example.org',
      RAPIDPRO_TOKEN: 'env-rp-token',
      FLOWFORM_NOTIFY_URL: 'https://hooks.example.com/r',
      FLOWFORM_NOTIFY_SECRET: 'env-notify-secret-16',
    })
    const basic = basicAuthSecret('shop', 'env-pass-1')
    const text = `Basic ${basic} / env-pass-1 / Token env-rp-token / ?secret=env-notify-secret-16`
    expect(redact(text)).toBe(`Basic ${REDACTED} / ${REDACTED} / Token ${REDACTED} / ?secret=${REDACTED}`)
    expect(() => readEnv({ INFOBIP_BASE_URL: 'https://x.api.infobip.com', INFOBIP_API_KEY: 'env-key-1' })).not.toThrow()
    expect(redact('App env-key-1')).toBe(`App ${REDACTED}`)
    readEnv({
      INFOBIP_BASE_URL: 'https://x.api.infobip.com',
      INFOBIP_CLIENT_ID: 'c',
      INFOBIP_CLIENT_SECRET: 'env-cs-1',
    })
    expect(redact('client_secret=env-cs-1')).toBe(`client_secret=${REDACTED}`)
  })

  it('takes the secrets of an environment built by hand too (IBSSO, OAuth)', () => {
    const ibsso: Pick<ProxyEnv, 'infobip' | 'rapidpro' | 'momentsNotify'> = {
      infobip: { baseUrl: 'https://x', auth: { kind: 'ibsso', username: 'u', password: 'hand-ibsso-pw' } },
      rapidpro: null,
      momentsNotify: null,
    }
    const oauth: Pick<ProxyEnv, 'infobip' | 'rapidpro'> = {
      infobip: { baseUrl: 'https://x', auth: { kind: 'oauth', clientId: 'c', clientSecret: 'hand-oauth-cs' } },
      rapidpro: { baseUrl: 'https://r', token: 'hand-rp-token' },
    }
    addEnvSecrets(ibsso)
    addEnvSecrets(oauth)
    expect(redact('hand-ibsso-pw hand-oauth-cs hand-rp-token')).toBe(`${REDACTED} ${REDACTED} ${REDACTED}`)
    expect(redact(basicAuthSecret('u', 'hand-ibsso-pw'))).toBe(REDACTED)
  })

  it('also finds a secret JSON-escaped or URL-encoded', () => {
    addSecrets('we"ird/pa ss&1')
    expect(redact(JSON.stringify({ m: 'x we"ird/pa ss&1 y' }))).toBe(`{"m":"x ${REDACTED} y"}`)
    expect(redact('password=we%22ird%2Fpa%20ss%261')).toBe(`password=${REDACTED}`)
  })

  it('leaves values too short to be secrets alone', () => {
    addSecrets('abc', '', undefined, null)
    expect(redact('abc abc')).toBe('abc abc')
  })

  it('remembers minted tokens, but only the most recent ones', () => {
    addMintedSecret('minted-0000')
    expect(redact('IBSSO minted-0000')).toBe(`IBSSO ${REDACTED}`)
    for (let i = 1; i <= 40; i++) {
      addMintedSecret(`minted-${String(i).padStart(4, '0')}`)
    }
    expect(redact('minted-0000')).toBe('minted-0000')
    expect(redact('minted-0040')).toBe(REDACTED)
  })

  it('registers an IBSSO session token as it is issued', async () => {
    const auth = ibssoAuth(
      { username: 'shop', password: 'session-pass' },
      { baseUrl: 'http://infobip.test', fetch: async () => Response.json({ token: 'ibsso-session-token-42' }) },
    )
    expect(await auth.header()).toBe('IBSSO ibsso-session-token-42')
    expect(redact('session ibsso-session-token-42 refused')).toBe(`session ${REDACTED} refused`)
  })

  it('covers every log line, whatever field the secret is in', () => {
    addSecrets('log-secret-xyz')
    const memory = createMemoryLogger()
    memory.log.error({ reason: 'echo log-secret-xyz', nested: { deep: ['log-secret-xyz'] } }, 'msg log-secret-xyz')
    memory.log.warn(new Error('boom log-secret-xyz'))
    expect(memory.text()).not.toContain('log-secret-xyz')
    expect(memory.lines()[0]).toMatchObject({ msg: `msg ${REDACTED}`, reason: `echo ${REDACTED}` })
  })
})
