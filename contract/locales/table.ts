import type { BootKey, TextKey } from '../texts'

/**
 * One language's texts: every widget text except the boot texts (which the bundle itself carries,
 * see BOOT in ../texts.ts), plus the proxy's own message for a value the form does not have.
 */
export type LocaleTable = Record<Exclude<TextKey, BootKey>, string> & { 'error.unknown': string }
