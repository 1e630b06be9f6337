// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX } from 'preact'
import { h } from 'preact'
import type { PublicField } from '../../contract/definition'
import type { Translate } from '../../contract/texts'
import { ChoiceGroup } from './choice-group'
import { errorAttributes, FieldError, RequiredMark } from './field-parts'

interface FieldProps {
  field: PublicField
  /** Unique inside the shadow root; the error message's id derives from it. */
  id: string
  error?: string | undefined
  t: Translate
}

/** Autofill hints for the people-data names of the contract (section 3). */
const AUTOCOMPLETE: Record<string, string> = {
  email: 'email',
  phone: 'tel',
  firstName: 'given-name',
  lastName: 'family-name',
  middleName: 'additional-name',
  address: 'street-address',
  city: 'address-level2',
  country: 'country-name',
  gender: 'sex',
  birthDate: 'bday',
}

interface NativeRules {
  min?: string | undefined
  max?: string | undefined
  step?: string | undefined
  maxLength?: number | undefined
  pattern?: string | undefined
}

/** The browser's own constraints still drive keyboards, spinners and date pickers under novalidate. */
function nativeRules(field: PublicField): NativeRules {
  const { type } = field
  if (type === 'number' || type === 'date' || type === 'datetime') {
    return { min: field.min, max: field.max, step: type === 'number' ? 'any' : undefined }
  }
  return { maxLength: field.maxLength, pattern: type === 'textarea' ? undefined : field.pattern }
}

/** One field of the form, drawn by its type; `title` and `description` are text only. */
export function Field({ field, id, error, t }: FieldProps): JSX.Element | null {
  const { type, name, required } = field
  // `||`, not `??`: an empty label from upstream must not leave an input unnamed.
  const label = field.label || field.placeholder || name
  if (type === 'hidden') {
    return <input type="hidden" name={name} value={field.value ?? ''} />
  }
  if (type === 'title') {
    return <h2 part="title">{field.text ?? label}</h2>
  }
  if (type === 'description') {
    return <p part="description">{field.text ?? label}</p>
  }
  if (type === 'radio' || type === 'checkboxes') {
    return <ChoiceGroup field={field} id={id} label={label} error={error} t={t} />
  }
  const errorId = `${id}-error`
  const common = { id, name, required, part: 'input', ...errorAttributes(errorId, error) }
  const labelElement = (
    <label for={id} part="label">
      {type === 'checkbox' ? (field.checkboxText ?? label) : label}
      <RequiredMark required={required} />
    </label>
  )
  if (type === 'checkbox') {
    const box = (
      <div class="field check" part="field">
        <input type="checkbox" value="true" {...common} />
        {labelElement}
        <FieldError id={errorId} message={error} />
      </div>
    )
    // Infobip shows both: the label as the question, checkboxText beside the box.
    return field.checkboxText && field.label && field.label !== field.checkboxText ? (
      <fieldset class="field">
        <legend part="label">{field.label}</legend>
        {box}
      </fieldset>
    ) : (
      box
    )
  }
  let control: JSX.Element
  if (type === 'select') {
    control = (
      <select {...common}>
        <option value="">{field.placeholder ?? t('select.placeholder')}</option>
        {(field.options ?? []).map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    )
  } else if (type === 'textarea') {
    control = <textarea rows={4} placeholder={field.placeholder} maxLength={field.maxLength} {...common} />
  } else {
    control = (
      <input
        // Left here: email, tel, text, number, date, datetime; only the last has another input type.
        type={type === 'datetime' ? 'datetime-local' : type}
        placeholder={field.placeholder}
        autocomplete={AUTOCOMPLETE[name] ?? (type === 'email' || type === 'tel' ? type : undefined)}
        {...nativeRules(field)}
        {...common}
      />
    )
  }
  return (
    <div class="field" part="field">
      {labelElement}
      {control}
      <FieldError id={errorId} message={error} />
    </div>
  )
}
