/**
 * Every text the widget shows, keyed by a stable id. `PublicForm.texts` overrides any of them by the
 * same id, so a shop can reword the widget from its config without a new bundle. More languages
 * plug in later as tables of the same shape.
 */
// The bundle carries these few non-ASCII characters as UTF-8: it must be served with
// `charset=utf-8` (the proxy does), or a page in another encoding would garble them.
export const EN = {
  'load.failed': 'The form could not be loaded. Please try again later.',
  'load.missing': 'This form is not available.',
  submit: 'Sign up',
  'submit.busy': 'Sending…',
  'status.enrolled': 'Thanks for signing up!',
  'status.alreadyEnrolled': "You're already signed up — thanks!",
  'status.queued': "Thanks! We're confirming your signup.",
  'alert.invalid': 'Please check the highlighted fields.',
  'alert.rateLimited': 'Too many attempts, please try again in a moment.',
  'alert.failed': 'Something went wrong on our side. Please try again later.',
  required: '(required)',
  'select.placeholder': 'Choose…',
  'error.required': 'Please fill in this field.',
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
}

export type TextKey = keyof typeof EN

export type TextVars = Record<string, string | number>

export type Translate = (key: TextKey, vars?: TextVars) => string

/** A lookup that prefers the overrides, falls back to English and fills `{name}` placeholders. */
export function createTranslate(overrides?: Readonly<Record<string, unknown>>): Translate {
  return (key, vars) => {
    const custom = overrides?.[key]
    const text = typeof custom === 'string' ? custom : EN[key]
    return vars ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(vars[name] ?? all)) : text
  }
}
