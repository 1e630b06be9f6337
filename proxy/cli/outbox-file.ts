import type { ProxyEnv } from '../config/env'
import { type DeliveryStore, openOperatorStore } from '../delivery/open-store'
import type { CliIo } from './io'

/**
 * The server's store for an operator command (delivery/open-store.ts): FLOWFORM_DATABASE_URL's
 * PostgreSQL, which every instance shares, or FLOWFORM_DATA_DIR/outbox.db, a relative directory
 * taken from the working directory as the server does. The CLI opens SQLite next to a running
 * server: WAL mode lets both read while one writes, and busy_timeout makes a writer wait for the
 * other's (short) transaction instead of failing.
 */
export function openStore(
  env: Pick<ProxyEnv, 'dataDir' | 'databaseUrl'>,
  io: CliIo,
): Promise<{ store: DeliveryStore } | { missing: string }> {
  return openOperatorStore(env, io.cwd ? { cwd: io.cwd } : {})
}

export function noOutbox(file: string): string {
  return `there is no outbox at ${file}: run this where the server runs, or set FLOWFORM_DATA_DIR to its data directory`
}
