import { describe, expect, it } from 'vitest'
import { FlowformConfig } from '../../proxy/config/schema'
import { formFromConfig } from '../../proxy/forms/from-config'
import { localiseForm } from '../../proxy/forms/localise'

/** A form's `display` block: what its popup or slide-in shows above the form, per language. */

const FORM = {
  id: 'f',
  allowedOrigins: ['https://shop.example.com'],
  fields: [{ name: 'email', type: 'email' }],
  flow: { api: 'moments', campaignId: '200000000000001' },
}

const IMAGE = { src: '/offer.png', alt: 'Beans', width: 480, height: 200 }

function parse(extra: Record<string, unknown>) {
  return FlowformConfig.safeParse({ forms: [{ ...FORM, ...extra }] })
}

function issues(extra: Record<string, unknown>): string[] {
  const result = parse(extra)
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('display config', () => {
  it('takes a headline, a text, an https or same-origin image and a teaser into the public definition', () => {
    for (const src of ['https://cdn.shop.example/offer.png', '/img/offer.png']) {
      const display = { headline: '10 % off', text: 'Join.', image: { ...IMAGE, src }, teaser: 'Offer' }
      const result = parse({ display })
      expect(result.success).toBe(true)
      const form = result.data?.forms[0]
      expect(form && formFromConfig(form, form.fields ?? []).display).toEqual(display)
    }
  })

  it.each(['http://cdn.example/offer.png', '//evil.example/x.png', 'javascript:alert(1)', 'data:image/png,x', 'x.png'])(
    'refuses the image %s: https or a path on the shop’s own site only',
    (src) => {
      expect(issues({ display: { image: { ...IMAGE, src } } })).toEqual([
        `forms.0.display.image.src: must be an https:// URL or a path on the shop's own site starting with "/"`,
      ])
    },
  )

  it('needs the image’s size and alt text, and knows no other keys', () => {
    expect(issues({ display: { image: { src: '/a.png', alt: '' } } })).toHaveLength(2)
    expect(issues({ display: { title: 'x' } })).toHaveLength(1)
  })

  it('translates headline, text and teaser with display.* texts for the visitor’s language', () => {
    const result = parse({
      display: { headline: '10 % off', text: 'Join.', teaser: 'Offer', image: IMAGE },
      texts: { de: { 'display.headline': '10 % Rabatt', 'display.teaser': 'Angebot' } },
    })
    const form = result.data?.forms[0]
    if (!form) {
      throw new Error(issues({}).join())
    }
    const definition = formFromConfig(form, form.fields ?? [])
    const german = localiseForm(definition, form.texts, 'de')
    expect(german.display).toEqual({ headline: '10 % Rabatt', text: 'Join.', teaser: 'Angebot', image: IMAGE })
    expect(german.texts?.['display.headline']).toBeUndefined()
    expect(localiseForm(definition, form.texts, 'en').display?.headline).toBe('10 % off')
    expect(localiseForm(formFromConfig({ ...form, display: undefined }, []), undefined).display).toBeUndefined()
  })
})
