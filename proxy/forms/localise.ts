import type { DisplayContent, PublicField, PublicForm } from '../../contract/definition'
import type { Locale } from '../../contract/locales'
import { localeTexts, pickLocale } from '../../contract/locales'
import { DISPLAY_TEXT, type TextsConfig } from '../config/schema'

/**
 * The visitor's language for a form: the built-in texts of the best language, then the config's
 * overrides for every language, then those for that language. The widget bundle carries English
 * only, so every definition goes out with its texts already merged.
 */

const FIELD_TEXT = /^field\.(.+)\.(label|placeholder|checkboxText|text)$/

type FieldTexts = Pick<PublicField, 'label' | 'placeholder' | 'checkboxText' | 'text'>

/** The best built-in language for a `?locale=` / `context.locale` value (English when absent or unknown). */
export function resolveLocale(requested: string | undefined): Locale {
  return pickLocale([requested])
}

/** The config's overrides for one language: those for all languages, then its own block. */
function overridesFor(
  config: TextsConfig | undefined,
  locale: Locale,
): { all: Record<string, string>; own: Record<string, string> } {
  const all: Record<string, string> = {}
  for (const [key, value] of Object.entries(config ?? {})) {
    if (typeof value === 'string') {
      all[key] = value
    }
  }
  const own = config?.[locale]
  return { all, own: typeof own === 'object' ? own : {} }
}

/** Every text id of one form in one language (field texts excluded), for the widget and the proxy's messages. */
export function formTexts(config: TextsConfig | undefined, locale: Locale): Record<string, string> {
  const { all, own } = overridesFor(config, locale)
  const texts = localeTexts(locale)
  for (const [key, value] of Object.entries({ ...all, ...own })) {
    if (!FIELD_TEXT.test(key) && !DISPLAY_TEXT.test(key)) {
      texts[key] = value
    }
  }
  return texts
}

/**
 * The definition as one visitor gets it: texts for their language, field texts translated by
 * `field.<name>.<label|placeholder|checkboxText|text>`, the popup's `display` content by
 * `display.<headline|text|teaser>`, and `locale` naming the language chosen.
 * A language's own `submit` and `status.enrolled` also replace the form's single-language
 * `submitLabel` and after-submit message (from the config or from Infobip).
 */
export function localiseForm(definition: PublicForm, config: TextsConfig | undefined, requested?: string): PublicForm {
  const locale = resolveLocale(requested)
  const { all, own } = overridesFor(config, locale)
  const byField: Record<string, FieldTexts> = {}
  for (const [key, value] of Object.entries({ ...all, ...own })) {
    const match = FIELD_TEXT.exec(key)
    if (match) {
      ;(byField[match[1] as string] ??= {})[match[2] as keyof FieldTexts] = value
    }
  }
  const display: DisplayContent = { ...definition.display }
  for (const [key, value] of Object.entries({ ...all, ...own })) {
    const match = DISPLAY_TEXT.exec(key)
    if (match) {
      display[match[1] as 'headline' | 'text' | 'teaser'] = value
    }
  }
  const texts = formTexts(config, locale)
  const { 'error.unknown': _unknown, ...widgetTexts } = texts
  const result: PublicForm = {
    ...definition,
    fields: definition.fields.map((field) => (byField[field.name] ? { ...field, ...byField[field.name] } : field)),
    texts: widgetTexts,
    locale,
  }
  if (Object.keys(display).length > 0) {
    result.display = display
  }
  if (own.submit) {
    result.submitLabel = own.submit
  }
  const thanks = own['status.enrolled']
  if (thanks && result.afterSubmit?.type === 'message') {
    result.afterSubmit = { type: 'message', value: thanks }
  }
  return result
}
