import type { PublicField, PublicForm } from '../../contract/definition'
import type { FormConfig, FormFieldConfig } from '../config/schema'
import type { Logger } from '../common/log'
import { reportPatterns } from './patterns'
import { boundByUpstream } from './upstream-limits'

export function fieldFromConfig(field: FormFieldConfig): PublicField {
  const result: PublicField = { name: field.name, type: field.type }
  if (field.label !== undefined) {
    result.label = field.label
  }
  if (field.required) {
    result.required = true
  }
  if (field.placeholder !== undefined) {
    result.placeholder = field.placeholder
  }
  if (field.options) {
    result.options = field.options
  }
  if (field.maxLength !== undefined) {
    result.maxLength = field.maxLength
  }
  if (field.pattern !== undefined) {
    result.pattern = field.pattern
  }
  if (field.min !== undefined) {
    result.min = String(field.min)
  }
  if (field.max !== undefined) {
    result.max = String(field.max)
  }
  if (field.value !== undefined) {
    result.value = field.value
  }
  if (field.checkboxText !== undefined) {
    result.checkboxText = field.checkboxText
  }
  if (field.forbiddenSymbols) {
    result.forbiddenSymbols = field.forbiddenSymbols
  }
  if (field.text !== undefined) {
    result.text = field.text
  }
  if (field.messages) {
    result.messages = field.messages
  }
  return result
}

/**
 * The public definition of a config-defined form. Field names double as people-data keys, so a
 * field named `firstName` gets Infobip's limit for first names. With a log, patterns the server
 * cannot run in linear time are reported.
 */
export function formFromConfig(form: FormConfig, fields: readonly FormFieldConfig[], log?: Logger): PublicForm {
  const result: PublicForm = { id: form.id, fields: fields.map(fieldFromConfig) }
  applyFormTexts(result, form)
  boundByUpstream(result.fields, Object.fromEntries(fields.map((f) => [f.name, f.name])))
  if (log) {
    reportPatterns(form.id, result.fields, log)
  }
  return result
}

/**
 * Form-level texts from the config win over what an upstream definition says. The config's `texts`
 * are applied per request, for the visitor's language (localise.ts).
 */
export function applyFormTexts(result: PublicForm, form: FormConfig): void {
  if (form.submitLabel) {
    result.submitLabel = form.submitLabel
  }
  if (form.afterSubmit) {
    result.afterSubmit = form.afterSubmit
  }
  if (form.display) {
    result.display = form.display
  }
}
