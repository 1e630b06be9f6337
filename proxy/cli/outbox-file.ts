import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ProxyEnv } from '../config/env'
import { Outbox } from '../delivery/outbox'
import type { CliIo } from './io'

/**
 * The server's outbox file: FLOWFORM_DATA_DIR/outbox.db, a relative directory taken from the
 * working directory as the server does. The CLI opens it next to a running server: SQLite in WAL
 * mode lets both read while one writes, and busy_timeout makes a writer wait for the other's
 * (short) transaction instead of failing.
 */
export function outboxFile(env: Pick<ProxyEnv, 'dataDir'>, io: CliIo): string {
  return join(resolve(io.cwd ?? process.cwd(), env.dataDir), 'outbox.db')
}

/**
 * Opens the outbox if there is one. Never creates it: an empty outbox made by a typo in
 * FLOWFORM_DATA_DIR (or a command run from the wrong directory) would look like "nothing to do".
 */
export function openOutbox(file: string): Outbox | null {
  return existsSync(file) ? new Outbox(file) : null
}

export function noOutbox(file: string): string {
  return `there is no outbox at ${file}: run this where the server runs, or set FLOWFORM_DATA_DIR to its data directory`
}
