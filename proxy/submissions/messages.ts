import type { FieldMessages, PublicField } from '../../widget/definition'
import type { Rule } from '../../widget/validate'

/** The proxy's answers are in English; the widget shows its own localised texts for the same rules. */
const DEFAULTS: Record<Rule, (field: PublicField) => string> = {
  required: () => 'This field is required.',
  format: (field) =>
    field.type === 'email'
      ? 'Please enter a valid email address.'
      : field.type === 'tel'
        ? 'Please enter a valid phone number.'
        : field.options
          ? 'Please choose one of the options.'
          : 'Please enter a valid value.',
  pattern: () => 'Please match the requested format.',
  maxLength: (field) => `Please use at most ${field.maxLength ?? 4000} characters.`,
  min: (field) => `Please enter a value of at least ${field.min ?? ''}.`,
  max: (field) => `Please enter a value of at most ${field.max ?? ''}.`,
  forbiddenSymbols: () => 'Please remove special characters.',
}

export function messageFor(field: PublicField, rule: Rule): string {
  const custom = field.messages?.[rule as keyof FieldMessages]
  return custom ?? DEFAULTS[rule](field)
}
