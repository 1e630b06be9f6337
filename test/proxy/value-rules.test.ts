import { describe, expect, it, vi } from 'vitest'
import { RE2JS } from 're2js'
import type { PublicField } from '../../contract/definition'
import { ConfigError, parseConfig } from '../../proxy/config/load'
import { outcomeFromError } from '../../proxy/delivery/from-error'
import { formFromConfig } from '../../proxy/forms/from-config'
import { formFromInfobip } from '../../proxy/forms/from-infobip'
import { boundByUpstream } from '../../proxy/forms/upstream-limits'
import { createMemoryLogger } from '../../proxy/common/log'
import { compilePattern, linearPattern, reportPatterns } from '../../proxy/forms/patterns'
import { toE164 } from '../../proxy/signup/phone'
import { headerValue, InfobipClient } from '../../proxy/upstreams/infobip/client'
import { InfobipHttpError, InfobipNetworkError } from '../../proxy/upstreams/infobip/errors'
import { staticAuth } from '../../proxy/upstreams/infobip/auth'

describe('linear-time patterns', () => {
  it('answers ^(a+)+$ against 5,000 hostile characters on RE2, not RegExp', () => {
    const matches = vi.spyOn(RE2JS.prototype, 'matches')
    const test = vi.spyOn(RegExp.prototype, 'test')
    expect(linearPattern('^(a+)+$', `${'a'.repeat(5_000)}!`)).toBe(false)
    expect(matches).toHaveBeenCalledTimes(1)
    expect(test).not.toHaveBeenCalled()
    vi.restoreAllMocks()
  })

  it('anchors like HTML: the whole value must match', () => {
    expect(linearPattern('[0-9]{4}', '1234')).toBe(true)
    expect(linearPattern('[0-9]{4}', '12345')).toBe(false)
    expect(linearPattern('a|b', 'ab')).toBe(false)
    expect(linearPattern('\\p{L}+ ?\\p{L}*', 'Željka Ana')).toBe(true)
  })

  it('does not apply what RE2 cannot run (left to the upstream), and compiles each pattern once', () => {
    expect(compilePattern('(a)\\1')).toBeNull()
    expect(compilePattern('(?=a)a')).toBeNull()
    expect(linearPattern('(a)\\1', 'whatever')).toBe(true)
    expect(compilePattern('x+')).toBe(compilePattern('x+'))
  })

  it('reports an Infobip pattern RE2 cannot run when the definition loads, with form and field', () => {
    const memory = createMemoryLogger()
    const form = { id: 'shop', allowedOrigins: ['https://shop.example'], infobipFormId: 'f1' }
    const { definition } = formFromInfobip(
      form as never,
      {
        formStatus: 'ACTIVE',
        elements: [
          { component: 'TEXT', fieldId: 'code', validationRules: { pattern: '(?<=x)y' } },
          { component: 'TEXT', fieldId: 'zip', validationRules: { pattern: '\\d{4}' } },
        ],
      } as never,
      memory.log,
    )
    expect(memory.lines().filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ form: 'shop', field: 'code', pattern: '(?<=x)y' }),
    ])
    // The widget still gets it: the browser's RegExp only costs the shopper's own tab.
    expect(definition.fields[0]?.pattern).toBe('(?<=x)y')
  })
})

describe('upstream attribute limits', () => {
  it("bounds person attributes by Infobip People's limits unless the form is stricter", () => {
    const fields: PublicField[] = [
      { name: 'first', type: 'text' },
      { name: 'middle', type: 'text', maxLength: 20 },
      { name: 'city', type: 'text', maxLength: 100 },
      { name: 'note', type: 'text' },
    ]
    boundByUpstream(fields, { first: 'firstName', middle: 'middleName', city: 'city', note: 'favouriteColour' })
    expect(fields.map((f) => f.maxLength)).toEqual([255, 20, 50, undefined])
  })

  it('gives a config field named after an attribute its limit', () => {
    const form = { id: 'w', allowedOrigins: ['https://shop.example'] }
    const definition = formFromConfig(form as never, [{ name: 'lastName', type: 'text' }] as never)
    expect(definition.fields[0]?.maxLength).toBe(255)
  })
})

describe('phone numbers', () => {
  it('normalises international numbers to E.164', () => {
    for (const raw of ['+41 79 302 67 27', '0041 79 302 67 27', '41793026727', '+41 (79) 302-67-27']) {
      expect(toE164(raw)).toBe('+41793026727')
    }
  })

  it("reads national numbers in the form's default country", () => {
    expect(toE164('079 302 67 27', 'CH')).toBe('+41793026727')
    expect(toE164('091 123 4567', 'HR')).toBe('+385911234567')
    expect(toE164('+44 20 7946 0958', 'HR')).toBe('+442079460958')
  })

  it('refuses what is no real number', () => {
    for (const raw of ['079 302 67 27', '+1 555 0100', '12345', '+999 123 456 789']) {
      expect(toE164(raw)).toBeNull()
    }
  })

  const config = (defaultCountry: unknown) => ({
    forms: [
      {
        id: 'w',
        allowedOrigins: ['https://shop.example'],
        defaultCountry,
        flow: { api: 'legacy', campaignId: '1' },
        fields: [{ name: 'phone', type: 'tel' }],
      },
    ],
  })

  it('takes defaultCountry as an ISO 3166-1 alpha-2 code, in either case', () => {
    expect(parseConfig(config('ch'), 'test').forms[0]?.defaultCountry).toBe('CH')
  })

  it.each(['CHE', 'XX', '41', ''])('refuses defaultCountry %j with a clear message', (code) => {
    expect(() => parseConfig(config(code), 'test')).toThrow(ConfigError)
    expect(() => parseConfig(config(code), 'test')).toThrow(
      /defaultCountry: must be an ISO 3166-1 alpha-2 country code/,
    )
  })
})

describe('Infobip analytics headers', () => {
  it('keeps printable ASCII and percent-encodes the rest', () => {
    expect(headerValue('black-friday 2025')).toBe('black-friday 2025')
    expect(headerValue('春节促销')).toBe('%E6%98%A5%E8%8A%82%E4%BF%83%E9%94%80')
    expect(decodeURIComponent(headerValue('Été 🎉'))).toBe('Été 🎉')
    expect(headerValue('a\r\nSet-Cookie: x')).toBe('a%0D%0ASet-Cookie: x')
    expect(headerValue('a\uD800b')).toBe('a%EF%BF%BDb')
  })

  it('is bounded and never ends in half an escape', () => {
    const value = headerValue(`${'a'.repeat(254)}é`)
    expect(value).toBe('a'.repeat(254))
    expect(headerValue('x'.repeat(1_000))).toHaveLength(256)
  })

  it('is always a value Headers accepts', () => {
    for (const raw of ['\u0000', '\u00ff', '\u2028', 'a\nb', '\uDFFF']) {
      expect(() => new Headers({ h: headerValue(raw) })).not.toThrow()
    }
  })
})

describe('network errors are real network failures only', () => {
  const client = (fetch: typeof globalThis.fetch) =>
    new InfobipClient({ baseUrl: 'https://api.example', auth: staticAuth({ kind: 'app', apiKey: 'k' }), fetch })

  it('does not call a TypeError thrown inside the client an outage', async () => {
    const bug = new TypeError("Failed to execute 'set' on 'Headers': Invalid header value")
    const error: unknown = await client(() => Promise.reject(bug))
      .submitFormData('f', {})
      .catch((e: unknown) => e)
    expect(error).toBe(bug)
    expect(error).not.toBeInstanceOf(InfobipNetworkError)
    expect(outcomeFromError('infobip-forms', error)).not.toMatchObject({
      reason: expect.stringContaining('could not be reached'),
    })
  })

  it('still calls a refused connection "could not be reached"', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    const error: unknown = await client(() => Promise.reject(refused))
      .submitFormData('f', {})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InfobipNetworkError)
    expect((error as Error).message).toContain('could not be reached (connection refused (ECONNREFUSED))')
  })
})

describe('an upstream refusal of a value', () => {
  it('is not transient: the delivery fails once with the reason', () => {
    const error = new InfobipHttpError(
      'POST',
      '/forms/1/forms/f/data',
      400,
      'BAD_REQUEST',
      'firstName too long',
      undefined,
    )
    expect(error.transient).toBe(false)
    expect(outcomeFromError('infobip-forms', error)).toEqual({
      kind: 'failed',
      upstream: 'infobip-forms',
      status: 400,
      upstreamCode: 'BAD_REQUEST',
      reason: 'firstName too long',
    })
  })
})

describe('reporting patterns RE2 cannot run', () => {
  it('warns once per form, field and pattern, however often the definition is fetched again', () => {
    const memory = createMemoryLogger()
    const fields: PublicField[] = [{ name: 'code', type: 'text', pattern: '(x)\\1' }]
    reportPatterns('shop', fields, memory.log)
    reportPatterns('shop', fields, memory.log)
    reportPatterns('other', fields, memory.log)
    expect(memory.lines().map((l) => l.form)).toEqual(['shop', 'other'])
  })
})
