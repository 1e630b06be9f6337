// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { JSX } from 'preact'
import { h } from 'preact'

/** The asterisk is for sighted people; the `required` attribute tells assistive technology. */
export function RequiredMark({ required }: { required?: boolean | undefined }): JSX.Element | null {
  return required ? (
    <span class="req" aria-hidden="true">
      {' *'}
    </span>
  ) : null
}

export function FieldError({ id, message }: { id: string; message?: string | undefined }): JSX.Element | null {
  return message ? (
    <p id={id} class="error" part="error">
      {message}
    </p>
  ) : null
}

/** The attributes that tie an input to its error message, present only while there is one. */
export function errorAttributes(
  errorId: string,
  message?: string,
): { 'aria-invalid'?: boolean; 'aria-describedby'?: string } {
  return message ? { 'aria-invalid': true, 'aria-describedby': errorId } : {}
}
