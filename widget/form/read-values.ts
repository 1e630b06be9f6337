import type { FieldValue, PublicField, SubmissionValues } from '../../contract/definition'
import { isContentField } from '../../contract/definition'

/**
 * The inputs are uncontrolled: the DOM holds the values and FormData reads them, which keeps the
 * components small and lets browser autofill work untouched.
 */

function pick(data: FormData, field: PublicField): FieldValue {
  if (field.type === 'checkbox') {
    return data.has(field.name)
  }
  if (field.type === 'checkboxes') {
    return data.getAll(field.name).map(String)
  }
  const value = data.get(field.name)
  // Phones and autofill add stray spaces; nobody means them.
  return typeof value === 'string' ? value.trim() : ''
}

export function readValue(form: HTMLFormElement, field: PublicField): FieldValue {
  return pick(new FormData(form), field)
}

export function readValues(form: HTMLFormElement, fields: readonly PublicField[]): SubmissionValues {
  const data = new FormData(form)
  const values: SubmissionValues = {}
  for (const field of fields) {
    if (!isContentField(field)) {
      values[field.name] = pick(data, field)
    }
  }
  return values
}

/** The browser holds text it cannot turn into a value (a number input with "4e"): FormData says "". */
export function badInput(form: HTMLFormElement, field: PublicField): boolean {
  return Boolean((form.elements.namedItem(field.name) as HTMLInputElement | null)?.validity?.badInput)
}
