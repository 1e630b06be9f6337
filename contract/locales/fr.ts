import type { LocaleTable } from './table'

// French typography puts a no-break space before "!" and ":" (written here as \u00a0).
export const FR: LocaleTable = {
  submit: "S'inscrire",
  'submit.busy': 'Envoi en cours…',
  'status.enrolled': 'Merci pour votre inscription\u00a0!',
  'status.alreadyEnrolled': 'Votre inscription est déjà enregistrée — merci\u00a0!',
  'status.queued': 'Merci pour votre inscription\u00a0!',
  'alert.invalid': 'Veuillez vérifier les champs signalés.',
  'alert.rateLimited': 'Trop de tentatives. Veuillez réessayer dans un instant.',
  'alert.failed': 'Un problème est survenu de notre côté. Veuillez réessayer plus tard.',
  required: '(obligatoire)',
  'select.placeholder': 'Choisissez…',
  'error.required': 'Veuillez remplir ce champ.',
  'error.required.checkbox': 'Veuillez cocher cette case pour continuer.',
  'error.format': 'Veuillez vérifier cette valeur.',
  'error.email': 'Veuillez saisir une adresse e-mail valide.',
  'error.tel': 'Veuillez saisir un numéro de téléphone valide.',
  'error.number': 'Veuillez saisir un nombre.',
  'error.date': 'Veuillez saisir une date valide.',
  'error.choice': "Veuillez choisir l'une des options.",
  'error.maxLength': 'Veuillez utiliser {max} caractères au maximum.',
  'error.pattern': 'Veuillez respecter le format demandé.',
  'error.min': 'La valeur minimale est {min}.',
  'error.max': 'La valeur maximale est {max}.',
  'error.forbiddenSymbols': 'Veuillez supprimer ces caractères\u00a0: {symbols}',
  'error.characters': 'Veuillez supprimer les caractères invisibles.',
  'error.unknown': 'Ce champ ne fait pas partie du formulaire.',
  // Designed states (issue 11).
  'success.heading': 'Bienvenue parmi nous !',
  'already.heading': 'Bon retour parmi nous !',
  'alert.heading': "Cela n'a pas fonctionné",
}
