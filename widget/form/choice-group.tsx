// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX } from 'preact'
import { h } from 'preact'
import type { PublicField } from '../../contract/definition'
import type { Translate } from '../../contract/texts'
import { errorAttributes, FieldError, RequiredMark } from './field-parts'

interface ChoiceGroupProps {
  field: PublicField
  id: string
  label: string
  error?: string | undefined
  t: Translate
}

/** Radio buttons or a checkbox group: a fieldset whose legend names the question. */
export function ChoiceGroup({ field, id, label, error, t }: ChoiceGroupProps): JSX.Element {
  const radio = field.type === 'radio'
  const errorId = `${id}-error`
  return (
    <fieldset class="field group" part="field">
      <legend part="label">
        {label}
        <RequiredMark required={field.required} />
        {/* Radios carry `required` themselves; a checkbox group cannot, so it says so in words. */}
        {field.required && !radio ? <span class="sr">{` ${t('required')}`}</span> : null}
      </legend>
      {(field.options ?? []).map((option, index) => (
        <div class="option" key={option.value}>
          <input
            type={radio ? 'radio' : 'checkbox'}
            id={`${id}-${index}`}
            name={field.name}
            value={option.value}
            required={radio && field.required}
            part="input"
            {...errorAttributes(errorId, error)}
          />
          <label for={`${id}-${index}`} part="label option">
            {option.label}
          </label>
        </div>
      ))}
      <FieldError id={errorId} message={error} />
    </fieldset>
  )
}
