import type { PublicField } from '../../widget/definition'
import { errorText } from '../../widget/form/error-text'
import type { Translate } from '../../widget/texts'
import { createTranslate } from '../../widget/texts'
import type { Rule } from '../../widget/validate'

/**
 * The proxy's message for a broken rule: the same wording, translations and per-field overrides
 * the widget uses (widget/form/error-text.ts), so the visitor reads one voice whichever side judged.
 */
export function messageFor(field: PublicField, rule: Rule, t: Translate = createTranslate()): string {
  return errorText(field, rule, t)
}
