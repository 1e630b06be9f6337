import { localeTexts, pickLocale, type Locale } from '../../contract/locales'

export { localeTexts }

/** The built-in language the proxy would pick for a `?locale=` value. */
export function resolveLocaleTag(tag: string | null | undefined): Locale {
  return pickLocale([tag])
}
