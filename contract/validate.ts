import type { FieldMessages, FieldValue, PublicField } from './definition'
import { isContentField } from './definition'
import { normalisePhone } from './identity'

/**
 * The validation rules, shared by the widget (before it submits) and the proxy (which never trusts
 * the browser), worded by error-text.ts. Pure and free of anything outside contract/, so that it
 * costs the bundle a few hundred bytes.
 */

export type Rule = keyof FieldMessages

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]{2,}$/
const TEL = /^\+?[\d\s().-]{6,24}$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/
const NUMBER = /^-?\d+(?:\.\d+)?$/

export const MAX_TEXT_LENGTH = 4000

function isRealDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
}

// Whitespace alone does not fill a required field: "   " is as empty as "".
function isEmpty(value: FieldValue | undefined): boolean {
  return (
    value === undefined ||
    value === false ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  )
}

const BOUNDED: readonly string[] = ['number', 'date', 'datetime']

function compare(field: PublicField, value: string, bound: string): number {
  if (field.type === 'number') {
    return Number(value) - Number(bound)
  }
  // ISO dates and date-times compare correctly as strings when they share a precision, so cut both
  // to the shorter one: a date against a date-time bound compares by day.
  const n = Math.min(value.length, bound.length)
  const a = value.slice(0, n)
  const b = bound.slice(0, n)
  return a < b ? -1 : a > b ? 1 : 0
}

function checkFormat(field: PublicField, value: string): boolean {
  switch (field.type) {
    case 'email':
      return value.length <= 254 && EMAIL.test(value)
    case 'tel': {
      // Counted as the proxy stores the number: 6 to 15 digits, as E.164 allows.
      const digits = normalisePhone(value).length
      return TEL.test(value) && digits >= 6 && digits <= 15
    }
    case 'number':
      return NUMBER.test(value)
    case 'date': {
      const m = DATE.exec(value)
      return m !== null && isRealDate(m[1] ?? '', m[2] ?? '', m[3] ?? '')
    }
    case 'datetime': {
      const m = DATETIME.exec(value)
      return (
        m !== null &&
        isRealDate(m[1] ?? '', m[2] ?? '', m[3] ?? '') &&
        Number(m[4]) < 24 &&
        Number(m[5]) < 60 &&
        Number(m[6] ?? 0) < 60
      )
    }
    case 'select':
    case 'radio':
      return (field.options ?? []).some((o) => o.value === value)
    default:
      return true
  }
}

/**
 * The first rule the value breaks, or `null` when it is valid. A value of the wrong kind (a list
 * for a text field, say) counts as a `format` failure.
 */
export function validateField(field: PublicField, value: FieldValue | undefined): Rule | null {
  if (isEmpty(value)) {
    return field.required ? 'required' : null
  }
  if (field.type === 'checkbox') {
    return value === true || value === 'true' ? null : 'format'
  }
  if (field.type === 'checkboxes') {
    if (!Array.isArray(value)) {
      return 'format'
    }
    const allowed = new Set((field.options ?? []).map((o) => o.value))
    return value.every((v) => allowed.has(v)) ? null : 'format'
  }
  if (typeof value !== 'string') {
    return 'format'
  }
  if (field.type === 'hidden') {
    return value.length <= (field.maxLength ?? MAX_TEXT_LENGTH) ? null : 'maxLength'
  }
  if (value.length > (field.maxLength ?? MAX_TEXT_LENGTH)) {
    return 'maxLength'
  }
  if (!checkFormat(field, value)) {
    return 'format'
  }
  if (field.forbiddenSymbols?.some((s) => s !== '' && value.includes(s))) {
    return 'forbiddenSymbols'
  }
  if (field.pattern !== undefined && !matchesPattern(field.pattern, value)) {
    return 'pattern'
  }
  // Bounds only mean something for ordered values; on a text field they would compare letters.
  if (!BOUNDED.includes(field.type)) {
    return null
  }
  if (field.min !== undefined && compare(field, value, field.min) < 0) {
    return 'min'
  }
  if (field.max !== undefined && compare(field, value, field.max) > 0) {
    return 'max'
  }
  return null
}

/** Anchored like HTML's `pattern` attribute; an unusable pattern from upstream does not block people. */
export function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value)
  } catch {
    try {
      return new RegExp(`^(?:${pattern})$`).test(value)
    } catch {
      return true
    }
  }
}

export interface Failure {
  field: PublicField
  rule: Rule
}

/**
 * Every failing field of a submission with the first rule it breaks, in form order: the proxy's
 * check of a whole submission. Content fields carry no value. (The widget checks field by field,
 * as the person types, and adds what the browser itself rejected.)
 */
export function validateValues(
  fields: readonly PublicField[],
  values: Readonly<Record<string, FieldValue | undefined>>,
): Failure[] {
  const failures: Failure[] = []
  for (const field of fields) {
    const rule = isContentField(field) ? null : validateField(field, values[field.name])
    if (rule) {
      failures.push({ field, rule })
    }
  }
  return failures
}
