import type { LocaleTable } from './table'

// Informal "tú", as Spanish-language shops usually address their customers.
export const ES: LocaleTable = {
  submit: 'Suscribirme',
  'submit.busy': 'Enviando…',
  'status.enrolled': '¡Gracias por suscribirte!',
  'status.alreadyEnrolled': 'Ya te habías suscrito. ¡Gracias!',
  'status.queued': '¡Gracias por suscribirte!',
  'alert.invalid': 'Revisa los campos marcados.',
  'alert.rateLimited': 'Demasiados intentos. Vuelve a intentarlo en un momento.',
  'alert.failed': 'Algo salió mal por nuestra parte. Inténtalo de nuevo más tarde.',
  required: '(obligatorio)',
  'select.placeholder': 'Elige una opción…',
  'error.required': 'Rellena este campo.',
  'error.required.checkbox': 'Marca esta casilla para continuar.',
  'error.format': 'Revisa este valor.',
  'error.email': 'Introduce una dirección de correo electrónico válida.',
  'error.tel': 'Introduce un número de teléfono válido.',
  'error.number': 'Introduce un número.',
  'error.date': 'Introduce una fecha válida.',
  'error.choice': 'Elige una de las opciones.',
  'error.maxLength': 'Usa como máximo {max} caracteres.',
  'error.pattern': 'Usa el formato indicado.',
  'error.min': 'El valor mínimo es {min}.',
  'error.max': 'El valor máximo es {max}.',
  'error.forbiddenSymbols': 'Elimina estos caracteres: {symbols}',
  'error.characters': 'Elimina los caracteres invisibles.',
  'error.unknown': 'Este campo no forma parte del formulario.',
  // Designed states (issue 11).
  'success.heading': '¡Ya estás en la lista!',
  'already.heading': '¡Hola de nuevo!',
  'alert.heading': 'No ha funcionado',
}
