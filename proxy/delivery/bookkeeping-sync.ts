import type Database from 'better-sqlite3'
import { statement } from './statements'

/**
 * Runs the worker's bookkeeping (claims, outcomes) without a sync of its own: it is synced with the
 * next signup's commit (synchronous = FULL syncs the whole WAL) or checkpoint. A power cut in
 * between can only make a delivery due again that was already out (a repeat, which the upstreams
 * answer as "already there"), never lose a signup; kill -9 loses nothing (the WAL is written). A
 * drain after an outage settles thousands of deliveries, and a sync each would bound it (~3 ms each).
 */
export function withoutOwnSync<T>(db: Database.Database, work: () => T): T {
  if (db.inTransaction) {
    // Part of a larger transaction, whose commit syncs (and SQLite refuses the change inside one).
    return work()
  }
  statement(db, 'PRAGMA synchronous = NORMAL').run()
  try {
    return work()
  } finally {
    statement(db, 'PRAGMA synchronous = FULL').run()
  }
}
