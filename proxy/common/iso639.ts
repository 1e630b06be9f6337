import { iso6393, iso6393To1, iso6393To2B } from 'iso-639-3'

/**
 * RapidPro keeps a contact's language as an ISO 639-3 code and refuses any code pycountry does not
 * know (temba/api/v2/serializers.py ContactWriteSerializer.validate_language: "Not a valid ISO639-3
 * language code."), so one wrong code loses the whole contact write. The codes come from the
 * maintained `iso-639-3` dataset rather than a hand-kept table.
 */
const CODES: ReadonlySet<string> = new Set(iso6393.map((language) => language.iso6393))
/** ISO 639-1 ("de") → 639-3 ("deu"). */
const FROM_639_1: ReadonlyMap<string, string> = new Map(Object.entries(iso6393To1).map(([three, one]) => [one, three]))
/** ISO 639-2/B ("ger") → 639-3 ("deu"): bibliographic codes people still type, which RapidPro refuses. */
const FROM_639_2B: ReadonlyMap<string, string> = new Map(
  Object.entries(iso6393To2B)
    .filter(([three, b]) => three !== b)
    .map(([three, b]) => [b, three]),
)

/** Whether RapidPro accepts `code` as it is: a real ISO 639-3 code, in lower case. */
export function isIso6393(code: string): boolean {
  return CODES.has(code)
}

/**
 * The ISO 639-3 code for a BCP 47 locale or language code: `en`, `en-GB`, `EN_us`, `iw` (→ `heb`),
 * `fil`, `ger` (→ `deu`); undefined for anything that names no real language (`english`, `xyz`, `qaa`).
 */
export function toIso6393(value: string): string | undefined {
  const language = primaryLanguage(value)
  if (language === undefined) {
    return undefined
  }
  if (language.length === 2) {
    return FROM_639_1.get(language)
  }
  return CODES.has(language) ? language : FROM_639_2B.get(language)
}

/** The primary language subtag, canonicalised the BCP 47 way (`iw` → `he`, `in` → `id`). */
function primaryLanguage(value: string): string | undefined {
  const tag = value.trim().replaceAll('_', '-')
  if (tag === '' || tag.length > 64) {
    return undefined
  }
  try {
    return new Intl.Locale(tag).language.toLowerCase()
  } catch {
    // Not BCP 47 at all ("english", "en--"): no language can be read from it.
    return undefined
  }
}

/** For the config check: why `code` is refused, with the code meant when it can be told. */
export function languageProblem(code: string): string | undefined {
  if (isIso6393(code)) {
    return undefined
  }
  const meant = toIso6393(code)
  return meant
    ? `is not an ISO 639-3 code that RapidPro accepts; use "${meant}"`
    : 'is not an ISO 639-3 language code that RapidPro accepts (see https://iso639-3.sil.org), such as "eng"'
}
