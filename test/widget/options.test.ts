import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '../../widget/index'
import { attributeOf, checkOptions, complaint, OPTIONS, readAttributes } from '../../widget/options/table'
import type { MountOptions } from '../../widget/options/table'

/**
 * The one options table: the script tag's data-* attributes, the custom element's attributes and
 * the API's object all go through it, so a value means the same thing on every surface.
 */

/** A valid raw value per option, as an attribute would carry it. */
const SAMPLES: Record<keyof typeof OPTIONS, string> = {
  form: 'welcome',
  mode: 'popup',
  trigger: 'delay',
  theme: 'dark',
  delay: '30',
  scroll: '75',
  frequencyDays: '0',
  locale: 'pt-BR',
  endpoint: 'https://proxy.test',
  nonce: 'abc',
}

function element(tag: string, attributes: Record<string, string>): Element {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    el.setAttribute(name, value)
  }
  return el
}

afterEach(() => {
  document.body.innerHTML = ''
  vi.restoreAllMocks()
})

describe('the options table', () => {
  it('names each attribute after its option in kebab-case', () => {
    expect(Object.keys(OPTIONS).map(attributeOf)).toEqual([
      'form',
      'mode',
      'trigger',
      'theme',
      'delay',
      'scroll',
      'frequency-days',
      'locale',
      'endpoint',
      'nonce',
    ])
  })

  it('the script tag (data-*) and the custom element read every option the same way', () => {
    const names = Object.keys(SAMPLES) as Array<keyof typeof SAMPLES>
    const script = element('script', Object.fromEntries(names.map((n) => [`data-${attributeOf(n)}`, SAMPLES[n]])))
    const custom = element('flowform-x', Object.fromEntries(names.map((n) => [attributeOf(n), SAMPLES[n]])))
    const fromScript = readAttributes(script, 'data-')
    expect(readAttributes(custom, '')).toEqual(fromScript)
    expect(fromScript).toEqual({
      form: 'welcome',
      mode: 'popup',
      trigger: 'delay',
      theme: 'dark',
      delay: 30,
      scroll: 75,
      frequencyDays: 0,
      locale: 'pt-BR',
      endpoint: 'https://proxy.test',
      nonce: 'abc',
      prefill: {},
    })
  })

  it('converts numbers only for numeric options; an empty number is no 0', () => {
    const options = readAttributes(element('script', { 'data-delay': ' ', 'data-locale': '12' }), 'data-')
    expect(options.delay).toBeNaN()
    expect(options.locale).toBe('12')
  })

  it('takes prefill-<name> and ignores attributes that are no option', () => {
    const options = readAttributes(
      element('script', { 'data-prefill-email': 'kim@example.com', 'data-target': '#x', class: 'y' }),
      'data-',
    )
    expect(options).toEqual({ prefill: { email: 'kim@example.com' } })
  })

  it('fills in the defaults, and keeps what was given', () => {
    expect(checkOptions({ form: 'welcome' })).toMatchObject({
      mode: 'inline',
      trigger: 'load',
      delay: 5,
      scroll: 50,
      frequencyDays: 7,
    })
    expect(checkOptions({ form: 'welcome', delay: 0, frequencyDays: 0 })).toMatchObject({ delay: 0, frequencyDays: 0 })
    expect(checkOptions({ form: 'welcome' }).theme).toBeUndefined()
  })

  it.each([
    [{ form: 'Welcome' }, 'form must match [a-z0-9-]{1,64}, got "Welcome"'],
    [{ form: undefined }, 'form must match [a-z0-9-]{1,64}, got undefined'],
    [{ mode: 'modal' }, 'mode must be one of inline, popup, slide-in, got "modal"'],
    [{ trigger: 'hover' }, 'trigger must be one of load, delay, scroll, exit, manual, got "hover"'],
    [{ theme: 'neon' }, 'theme must be one of light, dark, auto, got "neon"'],
    [{ delay: NaN }, 'delay must be a number from 0 to 86400, got null'],
    [{ scroll: 101 }, 'scroll must be a number from 0 to 100, got 101'],
    [{ frequencyDays: -1 }, 'frequencyDays must be a number from 0 to 3650, got -1'],
    [{ locale: 'not a language' }, 'locale must be a language tag such as "de" or "pt-BR", got "not a language"'],
  ])('%j: the one message every surface gives', (bad, message) => {
    const options = { form: 'welcome', ...bad } as MountOptions
    expect(() => checkOptions(options)).toThrow(new TypeError(`[flowform] ${message}`))
    // The API throws the same message...
    expect(() => mount(document.body.appendChild(document.createElement('div')), options)).toThrow(
      `[flowform] ${message}`,
    )
  })

  it('the script tag names its form attribute in the same message', () => {
    expect(complaint('form', 'Bad Id')).toBe('form must match [a-z0-9-]{1,64}, got "Bad Id"')
    expect(complaint('form', 'welcome')).toBeUndefined()
    // Options without a rule take any string.
    expect(complaint('nonce', 'anything')).toBeUndefined()
  })
})
