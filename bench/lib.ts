// What several benchmarks share: the shop's origin, a temporary directory, the one-form config
// they write into it, a free port and an environment without the caller's own Flowform settings.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const SHOP = 'https://shop.example.com'

/** A new directory under the system's temporary one; the caller removes it. */
export function benchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/**
 * Writes `flowform.config.json` into `dir` with one form, `signup`, open to SHOP and with the bot
 * defence off (a load test posts like a server-side integration: no widget, no timing token), plus
 * what `form` says (fields, flow, confirmation); returns the file's path.
 */
export function writeSignupConfig(dir: string, form: Record<string, unknown>): string {
  const configPath = join(dir, 'flowform.config.json')
  writeFileSync(
    configPath,
    JSON.stringify({ forms: [{ id: 'signup', allowedOrigins: [SHOP], botDefense: false, ...form }] }),
  )
  return configPath
}

/** A port free on 127.0.0.1 right now (the tests' helper). */
export { freePort } from '../test/helpers/waiting'

/** This process's environment without INFOBIP_, RAPIDPRO_, FLOWFORM_ and npm_ settings. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(INFOBIP_|RAPIDPRO_|FLOWFORM_|npm_)/.test(k)),
  ) as Record<string, string>
}
