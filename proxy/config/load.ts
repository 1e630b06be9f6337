import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type * as z from 'zod'
import { demoConfig } from './demo-config'
import { configErrorMap, inWords } from './errors-in-words'
import { findJsonSyntaxError } from './json-syntax'
import { FlowformConfig } from './schema'

export class ConfigError extends Error {
  override name = 'ConfigError' as const
}

export interface LoadedConfig {
  config: FlowformConfig
  /** The file it came from, or null for the built-in demo config. */
  source: string | null
}

/** `$.forms[0].allowedOrigins[1]`: the JSON path of an issue, as an operator would search for it. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), '$')
}

export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = inWords(issues).map((issue) => `  at ${jsonPath(issue.path)}: ${issue.message}`)
  return `Invalid config file ${file}:\n${lines.join('\n')}`
}

/** Validates an already-parsed config; `file` names it in messages. */
export function parseConfig(raw: unknown, file: string): FlowformConfig {
  const result = FlowformConfig.safeParse(raw, { error: configErrorMap })
  if (!result.success) {
    throw new ConfigError(formatIssues(file, result.error.issues))
  }
  return result.data
}

/**
 * FLOWFORM_CONFIG, else ./flowform.config.json when present, else the built-in demo config
 * (whose allowed origins follow the port the proxy listens on).
 */
export function loadConfig(options: { path?: string | undefined; cwd?: string; demoOrigins: string[] }): LoadedConfig {
  const cwd = options.cwd ?? process.cwd()
  const defaultPath = resolve(cwd, 'flowform.config.json')
  const file = options.path ? resolve(cwd, options.path) : existsSync(defaultPath) ? defaultPath : null
  if (!file) {
    return { config: parseConfig(demoConfig(options.demoOrigins), 'built-in demo config'), source: null }
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    const where = findJsonSyntaxError(text)
    const problem = where
      ? `line ${where.line}, column ${where.column}: not valid JSON: ${where.what}`
      : `$: not valid JSON (${(error as Error).message})`
    throw new ConfigError(`Invalid config file ${file}:\n  at ${problem}`)
  }
  return { config: parseConfig(raw, file), source: file }
}
