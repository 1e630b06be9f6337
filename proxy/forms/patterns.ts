import { RE2JS } from 're2js'
import type { PublicField } from '../../contract/definition'
import type { PatternTest } from '../../contract/validate'
import type { Logger } from '../common/log'

/**
 * Field patterns on the server, on re2js: a pure-JS port of RE2 whose time grows linearly with the
 * value, so `^(a+)+$` and its realistic cousins cannot hold the event loop (a backtracking RegExp
 * took 12–48 s for 31 characters). A pattern RE2 cannot run (backreferences, lookaround) is not
 * applied here at all, never handed to RegExp: the upstream that defined it still checks it.
 */

/** A pattern's compiled form, or null when RE2 cannot run it. Patterns come from the config and
 * from Infobip definitions, a short list, so the cache never needs evicting. */
const compiled = new Map<string, RE2JS | null>()

export function compilePattern(pattern: string): RE2JS | null {
  let entry = compiled.get(pattern)
  if (entry === undefined) {
    try {
      // Anchored like HTML's `pattern`: `matches` is a whole-value match. translateRegExp turns
      // JavaScript-only spellings (`\u{…}`, `(?<name>…)`, `\/`) into RE2's.
      entry = RE2JS.compile(`(?:${RE2JS.translateRegExp(pattern)})`)
    } catch {
      entry = null
    }
    compiled.set(pattern, entry)
  }
  return entry
}

/** The proxy's PatternTest for contract/validate.ts: linear time, or passed when not compilable. */
export const linearPattern: PatternTest = (pattern, value) => compilePattern(pattern)?.matches(value) ?? true

/**
 * Form, field and pattern already reported, per runtime (by its logger): an Infobip definition is
 * fetched again every minute.
 */
const reportedBy = new WeakMap<Logger, Set<string>>()

/**
 * Tells the operator, when a definition loads, which patterns the server leaves to the upstream
 * (once per form, field and pattern), and compiles the rest so that no signup pays for it.
 */
export function reportPatterns(formId: string, fields: readonly PublicField[], log: Logger): void {
  for (const field of fields) {
    if (field.pattern === undefined || compilePattern(field.pattern) !== null) {
      continue
    }
    const key = JSON.stringify([formId, field.name, field.pattern])
    const reported = reportedBy.get(log) ?? new Set<string>()
    reportedBy.set(log, reported)
    if (!reported.has(key)) {
      reported.add(key)
      log.warn(
        { form: formId, field: field.name, pattern: field.pattern },
        'field pattern not applied on the server: the linear-time engine (RE2) cannot run it (backreference or lookaround?); the upstream still checks it',
      )
    }
  }
}
