import type { FieldValue, PublicField } from '../../contract/definition'
import type { Rule } from '../../contract/validate'
import { validateField } from '../../contract/validate'
import { badInput } from './read-values'

/**
 * The lazy chunk `flowform-rules.js` (vite.config.ts): the contract's value rules and their
 * messages, asked for when the person first focuses the form and waited for at the first submit.
 * Most page views never touch the form; the proxy checks every value again anyway.
 */

export { errorText } from '../../contract/error-text'

/**
 * The first rule a field's value breaks. A number the browser cannot read ("4e") reaches FormData
 * as "": not empty, just wrong.
 */
export function check(form: HTMLFormElement, field: PublicField, value: FieldValue | undefined): Rule | null {
  return validateField(field, value) ?? (badInput(form, field) ? 'format' : null)
}
