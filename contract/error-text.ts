import type { FieldMessages, FieldType, PublicField } from './definition'
import type { TextKey, Translate } from './texts'
import type { Rule } from './validate'
import { MAX_TEXT_LENGTH } from './validate'

const FORMAT_KEYS: Partial<Record<FieldType, TextKey>> = {
  email: 'error.email',
  tel: 'error.tel',
  number: 'error.number',
  date: 'error.date',
  datetime: 'error.date',
  select: 'error.choice',
  radio: 'error.choice',
  checkboxes: 'error.choice',
}

/** The message for a broken rule: the form's own wording for that rule wins over ours. */
export function errorText(field: PublicField, rule: Rule, t: Translate): string {
  // A form's own messages name only its own rules; `characters` is never among them.
  const custom = field.messages?.[rule as keyof FieldMessages]
  if (custom) {
    return custom
  }
  if (rule === 'format') {
    return t(FORMAT_KEYS[field.type] ?? 'error.format')
  }
  // "Fill in" makes no sense for a consent box.
  return t(rule === 'required' && field.type === 'checkbox' ? 'error.required.checkbox' : `error.${rule}`, {
    max: rule === 'maxLength' ? (field.maxLength ?? MAX_TEXT_LENGTH) : (field.max ?? ''),
    min: field.min ?? '',
    // Infobip's lists hold line breaks too; they would only show as gaps.
    symbols: (field.forbiddenSymbols ?? []).filter((s) => s.trim()).join(' '),
  })
}
