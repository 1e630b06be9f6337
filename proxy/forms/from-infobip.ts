import type { FieldMessages, FieldType, PublicField, PublicForm } from '../../contract/definition'
import type { FormConfig } from '../config/schema'
import type { Logger } from '../common/log'
import type { FormElement, InfobipForm } from '../upstreams/infobip/types'
import { reportPatterns } from './patterns'
import { applyFormTexts } from './from-config'
import { boundByUpstream } from './upstream-limits'

const COMPONENTS: Record<string, FieldType> = {
  TEXT: 'text',
  TEXTAREA: 'textarea',
  NUMBER: 'number',
  DROPDOWN: 'select',
  CHECKBOX: 'checkbox',
  CHECKBOX_GROUP: 'checkboxes',
  RADIOBUTTON: 'radio',
  DATE: 'date',
  DATETIME: 'datetime',
  EMAIL: 'email',
  MSISDN: 'tel',
  TITLE: 'title',
  DESCRIPTION: 'description',
}

/** Infobip's validationMessages keys are not documented; these are the ones seen or implied. */
const MESSAGE_KEYS: Record<string, keyof FieldMessages> = {
  required: 'required',
  isRequired: 'required',
  pattern: 'pattern',
  format: 'format',
  maxLength: 'maxLength',
  minValue: 'min',
  maxValue: 'max',
  forbiddenSymbols: 'forbiddenSymbols',
}

export interface InfobipFormMapping {
  definition: PublicForm
  /** fieldId → Infobip `personField`, for the people data sent to flows. */
  personFields: Record<string, string>
  active: boolean
}

function fieldFromElement(element: FormElement, type: FieldType, name: string): PublicField {
  const field: PublicField = {
    name,
    type: element.isHidden && type !== 'title' && type !== 'description' ? 'hidden' : type,
  }
  if (element.label) {
    field.label = element.label
  }
  if (element.isRequired) {
    field.required = true
  }
  if (element.placeholder) {
    field.placeholder = element.placeholder
  }
  if (element.checkboxText) {
    field.checkboxText = element.checkboxText
  }
  if (element.textContent) {
    field.text = element.textContent
  } else if ((type === 'title' || type === 'description') && element.label) {
    field.text = element.label
  }
  if (element.options) {
    field.options = element.options.map((o) => ({ label: o.name, value: o.value }))
  }
  const rules = element.validationRules
  if (rules?.maxLength !== undefined) {
    field.maxLength = rules.maxLength
  }
  // The upstream's long RFC 5322 email regex is left to our own email rule; other patterns apply as given.
  if (rules?.pattern && type !== 'email') {
    field.pattern = rules.pattern
  }
  if (rules?.minValue !== undefined) {
    field.min = rules.minValue
  }
  if (rules?.maxValue !== undefined) {
    field.max = rules.maxValue
  }
  if (rules?.forbiddenSymbols?.length) {
    field.forbiddenSymbols = rules.forbiddenSymbols
  }
  if (element.validationMessages) {
    const messages: FieldMessages = {}
    for (const [key, text] of Object.entries(element.validationMessages)) {
      const rule = MESSAGE_KEYS[key]
      if (rule) {
        messages[rule] = text
      }
    }
    if (Object.keys(messages).length > 0) {
      field.messages = messages
    }
  }
  return field
}

/** Turns an Infobip form into Flowform's public definition, skipping what the widget cannot draw. */
export function formFromInfobip(form: FormConfig, upstream: InfobipForm, log: Logger): InfobipFormMapping {
  const fields: PublicField[] = []
  const personFields: Record<string, string> = {}
  const definition: PublicForm = { id: form.id, fields }
  upstream.elements.forEach((element, index) => {
    if (element.component === 'SUBMIT_BUTTON') {
      if (element.label) {
        definition.submitLabel = element.label
      }
      return
    }
    const type = COMPONENTS[element.component]
    if (!type) {
      log.warn(
        { form: form.id, component: element.component },
        'skipping an Infobip form component the widget cannot show',
      )
      return
    }
    const isContent = type === 'title' || type === 'description'
    if (!isContent && !element.fieldId) {
      log.warn(
        { form: form.id, component: element.component, index },
        'skipping an Infobip form element without fieldId',
      )
      return
    }
    const name = element.fieldId ?? `${type}-${index}`
    fields.push(fieldFromElement(element, type, name))
    if (element.fieldId && element.personField) {
      personFields[element.fieldId] = element.personField
    }
  })
  if (upstream.actionAfterSubmission) {
    definition.afterSubmit = {
      type: upstream.actionAfterSubmission.type === 'REDIRECT' ? 'redirect' : 'message',
      value: upstream.actionAfterSubmission.value,
    }
  }
  applyFormTexts(definition, form)
  boundByUpstream(fields, personFields)
  reportPatterns(form.id, fields, log)
  return { definition, personFields, active: upstream.formStatus === 'ACTIVE' }
}
