import { describe, expect, it } from 'vitest'
import { EnvError, readEnv } from '../../proxy/config/env'
import { notifyUrlWithSecret } from '../../proxy/http/routes/moments-hook'

const URL_ = 'https://signup.shop.example.com/v1/hooks/moments-report'
const SECRET = 'a-secret-of-enough-length'

function refusal(source: Record<string, string>): string {
  try {
    readEnv(source)
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError)
    return (error as Error).message
  }
  throw new Error('expected readEnv to refuse the environment')
}

describe('Moments environment', () => {
  it('reads the notify URL, its secret, the batch window and the account rate', () => {
    const env = readEnv({
      FLOWFORM_NOTIFY_URL: URL_,
      FLOWFORM_NOTIFY_SECRET: SECRET,
      FLOWFORM_MOMENTS_BATCH_MS: '250',
      INFOBIP_REQUESTS_PER_SECOND: '20',
    })
    expect(env.momentsNotify).toEqual({ url: URL_, secret: SECRET })
    expect(env.momentsBatchWindowMs).toBe(250)
    expect(env.infobipRequestsPerSecond).toBe(20)
    expect(readEnv({}).momentsNotify).toBeNull()
  })

  it('wants the URL and the secret together, a long enough secret, and never echoes it', () => {
    expect(refusal({ FLOWFORM_NOTIFY_URL: URL_ })).toContain('FLOWFORM_NOTIFY_SECRET')
    expect(refusal({ FLOWFORM_NOTIFY_SECRET: SECRET })).toContain('FLOWFORM_NOTIFY_URL')
    const short = refusal({ FLOWFORM_NOTIFY_URL: URL_, FLOWFORM_NOTIFY_SECRET: 'tooshort' })
    expect(short).toContain('FLOWFORM_NOTIFY_SECRET')
    expect(short).not.toContain('tooshort')
    const long = refusal({ FLOWFORM_NOTIFY_URL: `${URL_}?x=${'a'.repeat(980)}`, FLOWFORM_NOTIFY_SECRET: SECRET })
    expect(long).toContain('1000 characters')
    expect(refusal({ INFOBIP_REQUESTS_PER_SECOND: '0' })).toContain('INFOBIP_REQUESTS_PER_SECOND')
  })

  it('puts the secret in the notify URL as a query parameter, keeping what was there', () => {
    const url = new URL(notifyUrlWithSecret(`${URL_}?shop=eu`, 'a b&c'))
    expect(url.searchParams.get('shop')).toBe('eu')
    expect(url.searchParams.get('secret')).toBe('a b&c')
  })
})
