import { createHash } from 'node:crypto'
import type { ResolvedForm } from '../forms/registry'

/**
 * The form's version as a consent record names it: the config's `consent.version`, else the first
 * 12 hex digits of a SHA-256 over the public definition and the config's texts (every text any
 * visitor can be shown, in any language). Keys are sorted first, so the same form always has the
 * same version, and any change to a label, a field or a translation gives a new one.
 */
export function formVersion(form: ResolvedForm): string {
  const explicit = form.config.consent?.version
  if (explicit) {
    return explicit
  }
  let version = hashes.get(form.definition)
  if (version === undefined) {
    const canonical = JSON.stringify(sorted({ definition: form.definition, texts: form.config.texts ?? {} }))
    version = createHash('sha256').update(canonical).digest('hex').slice(0, 12)
    hashes.set(form.definition, version)
  }
  return version
}

/** By definition object: the registry keeps one per form (per fetch, for Infobip forms). */
const hashes = new WeakMap<object, string>()

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sorted)
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sorted(v)]))
  }
  return value
}
