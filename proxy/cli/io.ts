import { redact } from '../common/redact'

/** Where a command writes; a real process passes its streams, tests pass collectors. */
export interface Output {
  write(chunk: string): unknown
}

export interface CliIo {
  /** The environment the server would read (proxy/config/env.ts); default: process.env. */
  env?: Record<string, string | undefined>
  stdout?: Output
  stderr?: Output
  /** Where a relative FLOWFORM_CONFIG and ./flowform.config.json are looked up; default: process.cwd(). */
  cwd?: string
  /** Replaces global fetch for live upstream calls (tests). */
  fetch?: typeof fetch
}

/** A command line that cannot be run as written: exit code 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError' as const
}

export interface Printer {
  out(line?: string): void
  err(line?: string): void
}

/** Every line a command prints passes the one redaction (proxy/common/redact.ts): upstreams echo credentials. */
export function printer(io: CliIo): Printer {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  return {
    out: (line = '') => void stdout.write(`${redact(line)}\n`),
    err: (line = '') => void stderr.write(`${redact(line)}\n`),
  }
}

/** Left-aligned columns separated by two spaces; cells are single-line. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (cell: string) => cell.replace(/\s+/g, ' ').trim()
  const all = [headers.map(clean), ...rows.map((r) => r.map(clean))]
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** One line about an upstream failure, for an operator (the one describer lives with the errors). */
export { describeUpstreamError as describeError } from '../upstreams/errors'
