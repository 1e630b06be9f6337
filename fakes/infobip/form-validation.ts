// Server-side validation of `POST /forms/1/forms/{id}/data`, producing the error texts integrations
// have observed from Infobip (and parse with regexes, so the wording matters).
import { isValidEmail } from './people'
import type { SeedFormElement, SeedForm } from './seed'

export type SubmittedValues = Record<string, unknown>

// Components that carry a value; TITLE, DESCRIPTION, SUBMIT_BUTTON and the channel-specific
// decorations are layout only.
const INPUT_COMPONENTS = new Set([
  'TEXT',
  'TEXTAREA',
  'NUMBER',
  'DROPDOWN',
  'CHECKBOX',
  'CHECKBOX_GROUP',
  'RADIOBUTTON',
  'DATE',
  'DATETIME',
  'EMAIL',
  'MSISDN',
])

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  return undefined
}

function isBlank(element: SeedFormElement, value: unknown): boolean {
  if (value == null || (Array.isArray(value) && value.length === 0)) {
    return true
  }
  if (typeof value === 'string' && value.trim() === '') {
    return true
  }
  // An unticked mandatory checkbox is "no data" for Infobip, not an invalid value.
  return element.component === 'CHECKBOX' && (value === false || value === 'false')
}

function lengthAndSymbols(element: SeedFormElement, id: string, text: string): string | undefined {
  const rules = element.validationRules
  if (rules?.maxLength !== undefined && text.length > rules.maxLength) {
    return `${id} should not be longer than ${rules.maxLength} characters`
  }
  if (rules?.forbiddenSymbols?.some((symbol) => text.includes(symbol))) {
    return `${id} contains forbidden special characters`
  }
  return undefined
}

function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) {
    return false
  }
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
}

function checkPhone(id: string, text: string): string | undefined {
  if (!/^\+?[\d\s().-]+$/.test(text.trim())) {
    return `${id} is not a valid phone number`
  }
  const digits = text.trim().replace(/^\+/, '')
  if (/\D/.test(digits)) {
    return `${id} number is not numeric`
  }
  if (digits.startsWith('0')) {
    return `${id} number does not have valid country/network prefix`
  }
  if (digits.length < 7 || digits.length > 15) {
    return `${id} number has invalid length for network`
  }
  return undefined
}

function checkOptions(element: SeedFormElement, id: string, values: unknown[]): string | undefined {
  const allowed = new Set((element.options ?? []).map((o) => o.value))
  const ok = values.every((v) => {
    const text = asText(v)
    return text !== undefined && allowed.has(text)
  })
  return ok ? undefined : `${id} should be one of valid options`
}

function checkValue(element: SeedFormElement, id: string, value: unknown, now: number): string | undefined {
  const text = asText(value)
  switch (element.component) {
    case 'TEXT':
    case 'TEXTAREA': {
      if (text === undefined) {
        return `${id} should be a text value`
      }
      const pattern = element.validationRules?.pattern
      if (pattern !== undefined && !new RegExp(pattern).test(text)) {
        return `${id} does not match the required format`
      }
      return lengthAndSymbols(element, id, text)
    }
    case 'EMAIL': {
      const pattern = element.validationRules?.pattern
      if (text === undefined || !isValidEmail(text) || (pattern !== undefined && !new RegExp(pattern).test(text))) {
        return `${id} should have a valid email format`
      }
      return lengthAndSymbols(element, id, text)
    }
    case 'MSISDN':
      return text === undefined ? `${id} is not a valid phone number` : checkPhone(id, text)
    case 'NUMBER':
      return text !== undefined && text.trim() !== '' && Number.isFinite(Number(text))
        ? undefined
        : `${id} should be a number`
    case 'DROPDOWN':
    case 'RADIOBUTTON':
      return checkOptions(element, id, [value])
    case 'CHECKBOX_GROUP':
      return checkOptions(element, id, Array.isArray(value) ? value : [value])
    case 'CHECKBOX':
      return value === true || value === 'true' ? undefined : `${id} should be one of valid options`
    case 'DATE': {
      if (text === undefined || !isIsoDate(text)) {
        return `${id} should be an ISO date, but there is ${text ?? JSON.stringify(value)}`
      }
      // A birth date in the future is refused by People, so Forms refuses it up front.
      if (element.personField === 'birthDate' && Date.parse(`${text}T00:00:00Z`) > now) {
        return `${id} should be earlier than current date`
      }
      return undefined
    }
    case 'DATETIME':
      return text !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) && !Number.isNaN(Date.parse(text))
        ? undefined
        : `${id} should be an ISO datetime, but there is ${text ?? JSON.stringify(value)}`
    default:
      return undefined
  }
}

/** Every problem with the submission, in the form's element order; empty when it is acceptable. */
export function validateSubmission(form: SeedForm, values: SubmittedValues, now: number): string[] {
  const errors: string[] = []
  for (const element of form.elements) {
    const id = element.fieldId
    if (id === undefined || !INPUT_COMPONENTS.has(element.component)) {
      continue
    }
    const value = values[id]
    if (isBlank(element, value)) {
      if (element.isRequired) {
        errors.push(`No data was submitted for a mandatory field: ${id}`)
      }
      continue
    }
    const problem = checkValue(element, id, value, now)
    if (problem !== undefined) {
      errors.push(problem)
    }
  }
  return errors
}
