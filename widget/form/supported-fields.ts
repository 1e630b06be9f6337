import { FIELD_TYPES, type PublicField } from '../../contract/definition'

/**
 * The fields this widget can draw. A newer proxy may send types this bundle does not know yet;
 * they are left out (and not validated) rather than breaking the whole form.
 */
export function supportedFields(fields: readonly PublicField[]): PublicField[] {
  return fields.filter((field) => {
    if (field && (FIELD_TYPES as readonly string[]).includes(field.type)) {
      return true
    }
    console.warn(`[flowform] skipping field "${field?.name}" of unknown type "${field?.type}"`)
    return false
  })
}
