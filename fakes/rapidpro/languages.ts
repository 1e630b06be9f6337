// ContactWriteSerializer.validate_language: pycountry.languages.get(alpha_3=…), ISO 639-3 codes
// only (no 639-2/B "ger", no reserved "qaa"), looked up without regard to case as pycountry does.
import { iso6393 } from 'iso-639-3'

const CODES = new Set(iso6393.map((language) => language.iso6393))

export function isLanguage(code: string): boolean {
  return CODES.has(code.toLowerCase())
}
