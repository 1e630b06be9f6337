/**
 * Every text the widget shows, keyed by a stable id. The proxy answers each definition with
 * `texts` already translated and merged with the config's overrides (contract/locales, imported only
 * by the proxy), complete in every language, so the bundle carries none of these tables: only the
 * few texts it needs before or without a definition (BOOT), in every supported language.
 */
// The bundle carries these few non-ASCII characters as UTF-8: it must be served with
// `charset=utf-8` (the proxy does), or a page in another encoding would garble them.
export const EN = {
  'load.failed': 'The form could not be loaded.',
  close: 'Close',
  dialog: 'Sign-up form',
  submit: 'Sign up',
  'submit.busy': 'Sending…',
  'status.enrolled': 'Thanks for signing up!',
  'status.alreadyEnrolled': "You're already signed up — thanks!",
  // Accepted and stored, delivery pending (confirmation "instant"): thanked just as for enrolled;
  // a shop may still word it differently in its config's texts.
  'status.queued': 'Thanks for signing up!',
  'alert.invalid': 'Please check the highlighted fields.',
  'alert.rateLimited': 'Too many attempts, please try again in a moment.',
  'alert.failed': 'Something went wrong on our side. Please try again later.',
  required: '(required)',
  'select.placeholder': 'Choose…',
  'error.required': 'Please fill in this field.',
  'error.required.checkbox': 'Please tick this box to continue.',
  'error.format': 'Please check this value.',
  'error.email': 'Please enter a valid email address.',
  'error.tel': 'Please enter a valid phone number.',
  'error.number': 'Please enter a number.',
  'error.date': 'Please enter a valid date.',
  'error.choice': 'Please choose one of the options.',
  'error.maxLength': 'Please use at most {max} characters.',
  'error.pattern': 'Please use the requested format.',
  'error.min': 'The minimum is {min}.',
  'error.max': 'The maximum is {max}.',
  'error.forbiddenSymbols': 'Please remove these characters: {symbols}',
  'error.characters': 'Please remove invisible characters.',
  // Designed states and popup content (issue 11).
  'success.heading': "You're on the list!",
  'already.heading': 'Welcome back!',
  'alert.heading': "That didn't work",
}

export type TextKey = keyof typeof EN

export type TextVars = Record<string, string | number>

export type Translate = (key: TextKey, vars?: TextVars) => string

/** The built-in languages, as BCP 47 tags. The first is the fallback. */
export const LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'hr'] as const

export type Locale = (typeof LOCALES)[number]

/** The texts shown before or without a definition, in the order of BOOT_KEYS. */
export const BOOT_KEYS = ['load.failed', 'close', 'dialog'] as const

export type BootKey = (typeof BOOT_KEYS)[number]

// One string per language, split on `|`: the cheapest shape for the bundle.
const BOOT: Record<Locale, string> = {
  en: 'The form could not be loaded.|Close|Sign-up form',
  de: 'Das Formular konnte nicht geladen werden.|Schließen|Anmeldeformular',
  fr: "Le formulaire n'a pas pu être chargé.|Fermer|Formulaire d'inscription",
  es: 'No se pudo cargar el formulario.|Cerrar|Formulario de suscripción',
  'pt-BR': 'Não foi possível carregar o formulário.|Fechar|Formulário de inscrição',
  hr: 'Obrazac nije moguće učitati.|Zatvori|Obrazac za prijavu',
}

/** The boot texts of one language. */
export function bootTexts(locale: Locale): Partial<Record<BootKey, string>> {
  const texts: Partial<Record<BootKey, string>> = {}
  BOOT[locale].split('|').forEach((text, index) => {
    texts[BOOT_KEYS[index] as BootKey] = text
  })
  return texts
}

/**
 * The best built-in language for a list of preferences (BCP 47 tags, best first): for each
 * preference an exact match, then one of the same language ("pt-PT" gets "pt-BR"); else English.
 */
export function pickLocale(wanted: readonly (string | null | undefined)[]): Locale {
  for (const tag of wanted) {
    const lower = String(tag).toLowerCase()
    const found =
      LOCALES.find((l) => l.toLowerCase() === lower) ?? LOCALES.find((l) => l.split('-')[0] === lower.split('-')[0])
    if (found) {
      return found
    }
  }
  return 'en'
}

/**
 * A lookup in a complete table of texts (the proxy's formTexts, a definition's `texts`) that fills
 * `{name}` placeholders. A missing text shows its id: referring to EN here would put the English
 * table into the widget bundle, which always has the texts from the definition.
 */
export function createTranslate(texts?: Readonly<Record<string, unknown>>): Translate {
  return (key, vars) => {
    const found = texts?.[key]
    const text = typeof found === 'string' ? found : key
    return vars ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(vars[name] ?? all)) : text
  }
}
