import { waitFor } from '@testing-library/preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MountOptions } from '../../widget/index'
import { mount } from '../../widget/index'
import { bootTexts, pickLocale } from '../../contract/texts'
import { errorBody, OPEN_DIALOG, shadowOf, simpleForm, stubFetch, stubIntersectionObserver } from './support'

let n = 0

function setup(options: Partial<MountOptions> = {}, form: Parameters<typeof stubFetch>[0] = {}) {
  const fetchMock = stubFetch(form)
  const target = document.createElement('div')
  document.body.append(target)
  const endpoint = `https://locale${++n}.test`
  mount(target, { form: 'welcome', endpoint, ...options })
  return { fetchMock, root: shadowOf(target), url: () => String(fetchMock.mock.calls[0]?.[0]).slice(endpoint.length) }
}

function languages(list: string[]): void {
  vi.spyOn(navigator, 'languages', 'get').mockReturnValue(list)
}

beforeEach(() => {
  stubIntersectionObserver()
})

afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('pickLocale', () => {
  it.each([
    [['de'], 'de'],
    [['DE-at'], 'de'],
    [['pt-BR'], 'pt-BR'],
    [['pt-PT'], 'pt-BR'],
    [['pt'], 'pt-BR'],
    [['hr-HR'], 'hr'],
    [['fr-CA', 'de'], 'fr'],
    [['it', 'es-MX'], 'es'],
    [['it', 'ja'], 'en'],
    [['en-GB', 'de'], 'en'],
    [[], 'en'],
    [[undefined], 'en'],
  ])('%j → %s', (wanted, locale) => {
    expect(pickLocale(wanted)).toBe(locale)
  })
})

describe('the form language', () => {
  it('data-locale asks the proxy for that language and sets lang from its answer', async () => {
    const { root, url } = setup(
      { locale: 'de-CH' },
      { form: simpleForm({ locale: 'de', texts: { submit: 'Anmelden' } }) },
    )
    expect(url()).toBe('/v1/forms/welcome?locale=de')
    await waitFor(() => expect(root.querySelector('button[type="submit"]')?.textContent).toBe('Anmelden'))
    expect(root.querySelector('form')?.closest('[lang]')?.getAttribute('lang')).toBe('de')
  })

  it('without data-locale, the browser’s languages decide', async () => {
    languages(['fr-CA', 'en-US'])
    expect(setup().url()).toBe('/v1/forms/welcome?locale=fr')
    vi.restoreAllMocks()
    languages(['pt-PT'])
    expect(setup().url()).toBe('/v1/forms/welcome?locale=pt-BR')
    vi.restoreAllMocks()
    languages(['it-IT', 'ja'])
    // English is the proxy's default: the plain URL.
    expect(setup().url()).toBe('/v1/forms/welcome')
  })

  it('data-locale wins over the browser', () => {
    languages(['fr-FR'])
    expect(setup({ locale: 'hr' }).url()).toBe('/v1/forms/welcome?locale=hr')
  })

  it.each([
    ['de', 'Das Formular konnte nicht geladen werden.'],
    ['fr', "Le formulaire n'a pas pu être chargé."],
    ['es', 'No se pudo cargar el formulario.'],
    ['pt-BR', 'Não foi possível carregar o formulário.'],
    ['hr', 'Obrazac nije moguće učitati.'],
    ['en', 'The form could not be loaded.'],
  ])('without a definition, the load failure is still in the page language (%s)', async (locale, text) => {
    const { root } = setup({ locale }, { form: errorBody(500, 'internal') })
    await waitFor(() => expect(root.querySelector('[role="alert"]')?.textContent).toBe(text))
    expect(root.querySelector('[role="alert"]')?.closest('[lang]')?.getAttribute('lang')).toBe(locale)
  })

  it('the popup’s close button and label are translated before the definition arrives', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn<typeof fetch>(() => new Promise<Response>(() => undefined)),
    )
    const target = document.createElement('div')
    document.body.append(target)
    const handle = mount(target, {
      form: 'welcome',
      endpoint: 'https://slow.test',
      locale: 'fr',
      mode: 'popup',
      trigger: 'manual',
    })
    handle.open()
    const root = shadowOf(target)
    await waitFor(() =>
      expect(root.querySelector(OPEN_DIALOG)?.getAttribute('aria-label')).toBe("Formulaire d'inscription"),
    )
    expect(root.querySelector(OPEN_DIALOG)?.getAttribute('lang')).toBe('fr')
    expect(root.querySelector('button[part="close"]')?.getAttribute('aria-label')).toBe('Fermer')
    expect(root.querySelector('[aria-busy="true"]')).toBeTruthy()
    handle.unmount()
  })

  it('carries boot texts for every built-in language', () => {
    expect(bootTexts('en').close).toBe('Close')
    for (const locale of ['en', 'de', 'fr', 'es', 'pt-BR', 'hr'] as const) {
      expect(Object.keys(bootTexts(locale))).toEqual(['load.failed', 'close', 'dialog'])
    }
  })
})
