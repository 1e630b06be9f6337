import type { PublicField } from '../../contract/definition'
import { errorText } from '../../contract/error-text'
import type { Translate } from '../../contract/texts'
import { createTranslate } from '../../contract/texts'
import type { Rule } from '../../contract/validate'

/**
 * The proxy's message for a broken rule: the same wording, translations and per-field overrides
 * the widget uses (contract/error-text.ts), so the visitor reads one voice whichever side judged.
 */
export function messageFor(field: PublicField, rule: Rule, t: Translate = createTranslate()): string {
  return errorText(field, rule, t)
}
