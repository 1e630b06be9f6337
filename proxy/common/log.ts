import { pino } from 'pino'
import { redact } from './redact'

export type Logger = pino.Logger

/**
 * Paths that may carry credentials or personal data. Redaction is a safety net: the code already
 * avoids logging these, but an upstream error object can drag request headers along. Secrets an
 * upstream echoes inside its text have no path: `streamWrite` takes them out of every finished line.
 */
const REDACT = [
  'authorization',
  'password',
  'apiKey',
  'token',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.headers.authorization',
  '*.headers.Authorization',
  'err.options.headers',
  'err.request.headers',
]

/** pino's levels: what LOG_LEVEL may be (config/env.ts checks it against these). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
/** The level without LOG_LEVEL (config/defaults.ts takes it from here: common/ imports no other part). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

/** LOG_LEVEL is read once, by config/env.ts; callers pass it in. */
export function createLogger(
  options: { level?: string | undefined; destination?: pino.DestinationStream | undefined } = {},
): Logger {
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      redact: { paths: REDACT, censor: '[redacted]' },
      hooks: { streamWrite: redact },
    },
    options.destination,
  )
}

/** A logger that keeps lines in memory, for tests that check what the operator would see. */
export function createMemoryLogger(): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = []
  const log = createLogger({ level: 'debug', destination: { write: (chunk: string) => chunks.push(chunk) } })
  return {
    log,
    lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>),
    text: () => chunks.join(''),
  }
}
