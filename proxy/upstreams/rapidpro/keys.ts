/**
 * RapidPro's rules for contact field keys (temba ContactField): lower-case, runs of anything but
 * `[a-z0-9]` become `_`, must start with a letter, at most 36 characters, a few words reserved.
 */

const MAX_KEY_LENGTH = 36
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['has', 'is', 'fields', 'urns', 'created_on', 'last_seen_on'])

function isValidFieldKey(key: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(key) && key.length <= MAX_KEY_LENGTH && !RESERVED_KEYS.has(key)
}

/**
 * The RapidPro key for a form field or people attribute: `birthDate` → `birth_date`,
 * `Opt-in 2` → `opt_in_2`. Null when no valid key can be made (starts with a digit, reserved).
 */
export function fieldKeyFor(name: string): string | null {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  const key = snake.slice(0, MAX_KEY_LENGTH).replace(/_+$/, '')
  return isValidFieldKey(key) ? key : null
}

/**
 * A field name from which RapidPro generates exactly `key` again ("birth_date" → "Birth date"):
 * RapidPro takes a name, not a key, when a field is created.
 */
export function fieldNameFor(key: string): string {
  const words = key.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
