import type { Locale } from '../texts'
import { bootTexts, EN } from '../texts'
import { DE } from './de'
import { ES } from './es'
import { FR } from './fr'
import { HR } from './hr'
import { PT_BR } from './pt-BR'
import type { LocaleTable } from './table'

/**
 * The widget's texts in every built-in language. Only the proxy imports this module: it answers
 * each definition with the texts of the best language, so the widget bundle stays English-only.
 */

export type { LocaleTable } from './table'
export { LOCALES, pickLocale } from '../texts'
export type { Locale } from '../texts'

const EN_TABLE: LocaleTable = { ...EN, 'error.unknown': 'This field is not part of the form.' }

const TABLES: Record<Locale, LocaleTable> = { en: EN_TABLE, de: DE, fr: FR, es: ES, 'pt-BR': PT_BR, hr: HR }

/** Every text of one language, boot texts included, keyed by text id. */
export function localeTexts(locale: Locale): Record<string, string> {
  return { ...EN_TABLE, ...bootTexts(locale), ...TABLES[locale] }
}
