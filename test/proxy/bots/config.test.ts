import { describe, expect, it } from 'vitest'
import { botSettings } from '../../../proxy/signup/bots/settings'
import { FormConfig } from '../../../proxy/config/schema'

const FORM = {
  id: 'welcome',
  allowedOrigins: ['https://shop.example.com'],
  fields: [{ name: 'email', type: 'email' }],
  flow: { api: 'moments', campaignId: '1' },
}

function messages(botDefense: unknown): string[] {
  const result = FormConfig.safeParse({ ...FORM, botDefense })
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('botDefense config', () => {
  it('should default to the honeypot and the timing token when absent', () => {
    const form = FormConfig.parse(FORM)
    expect(botSettings(form.botDefense)).toMatchObject({ honeypot: true, token: true, minSeconds: 2 })
    expect(botSettings(form.botDefense)?.challenge).toBeUndefined()
    expect(botSettings(form.botDefense)?.maxPerMinute).toBeUndefined()
  })

  it('should turn every check off with false', () => {
    expect(botSettings(FormConfig.parse({ ...FORM, botDefense: false }).botDefense)).toBeNull()
  })

  it('should take single switches and the opt-in checks', () => {
    const form = FormConfig.parse({
      ...FORM,
      botDefense: {
        honeypot: false,
        minSeconds: 5,
        maxPerMinute: 100,
        phoneCountries: ['DE', 'AT'],
        challenge: { provider: 'recaptcha', siteKey: 'site-key', minScore: 0.7 },
      },
    })
    expect(botSettings(form.botDefense)).toMatchObject({
      honeypot: false,
      token: true,
      minSeconds: 5,
      maxPerMinute: 100,
      phoneCountries: ['DE', 'AT'],
      challenge: { provider: 'recaptcha', minScore: 0.7 },
    })
  })

  it('should name what is wrong, where', () => {
    expect(messages(true)).toEqual([expect.stringMatching(/^botDefense: must be false .* or an object/)])
    expect(messages({ minSeconds: 'x' })).toEqual([expect.stringMatching(/^botDefense\.minSeconds: /)])
    expect(messages({ phoneCountries: ['XX'] })).toEqual([
      'botDefense.phoneCountries.0: must be an ISO 3166 country code such as "DE"',
    ])
    expect(messages({ challenge: { provider: 'captcha-co' } })).toEqual([
      expect.stringMatching(/^botDefense\.challenge.*"turnstile", "hcaptcha", "recaptcha" or "altcha"/),
    ])
    expect(messages({ challenge: { provider: 'turnstile' } })).toEqual([
      expect.stringMatching(/^botDefense\.challenge\.siteKey/),
    ])
    expect(messages({ honeypot: true, typo: 1 })).toEqual([expect.stringMatching(/^botDefense: Unrecognized key/)])
  })
})
