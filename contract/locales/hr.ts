import type { LocaleTable } from './table'

// Polite "vi", the usual register of Croatian shops; counts are phrased to avoid plural forms.
export const HR: LocaleTable = {
  submit: 'Prijavite se',
  'submit.busy': 'Šaljemo…',
  'status.enrolled': 'Hvala na prijavi!',
  'status.alreadyEnrolled': 'Već ste prijavljeni — hvala!',
  'status.queued': 'Hvala na prijavi!',
  'alert.invalid': 'Provjerite označena polja.',
  'alert.rateLimited': 'Previše pokušaja. Pokušajte ponovno za trenutak.',
  'alert.failed': 'Nešto je pošlo po zlu na našoj strani. Pokušajte ponovno kasnije.',
  required: '(obavezno)',
  'select.placeholder': 'Odaberite…',
  'error.required': 'Ispunite ovo polje.',
  'error.required.checkbox': 'Označite ovaj okvir kako biste nastavili.',
  'error.format': 'Provjerite ovu vrijednost.',
  'error.email': 'Unesite valjanu adresu e-pošte.',
  'error.tel': 'Unesite valjani broj telefona.',
  'error.number': 'Unesite broj.',
  'error.date': 'Unesite valjani datum.',
  'error.choice': 'Odaberite jednu od ponuđenih mogućnosti.',
  'error.maxLength': 'Najveći dopušteni broj znakova je {max}.',
  'error.pattern': 'Upotrijebite traženi format.',
  'error.min': 'Najmanja dopuštena vrijednost je {min}.',
  'error.max': 'Najveća dopuštena vrijednost je {max}.',
  'error.forbiddenSymbols': 'Uklonite ove znakove: {symbols}',
  'error.characters': 'Uklonite nevidljive znakove.',
  'error.unknown': 'Ovo polje nije dio obrasca.',
  // Designed states (issue 11).
  'success.heading': 'Na popisu ste!',
  'already.heading': 'Dobro došli natrag!',
  'alert.heading': 'Nešto nije uspjelo',
}
