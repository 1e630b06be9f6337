import type Database from 'better-sqlite3'

const compiled = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/**
 * `db.prepare(sql)`, compiled once per database and SQL text. The signup path and the worker's
 * bookkeeping run the same few statements thousands of times a second, and compiling one each time
 * cost more than running it (bench/ingestion.ts profile). better-sqlite3 has no cache of its own.
 * Only for statements used as they come back (no `.pluck()` or `.raw()`, which change the shared
 * statement for every later caller).
 */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let byText = compiled.get(db)
  if (!byText) {
    byText = new Map()
    compiled.set(db, byText)
  }
  let prepared = byText.get(sql)
  if (!prepared) {
    prepared = db.prepare(sql)
    byText.set(sql, prepared)
  }
  return prepared
}

const runners = new WeakMap<Database.Database, Database.Transaction<(work: () => unknown) => unknown>>()

/**
 * `db.transaction(work)()`, with the transaction wrapper made once per database (better-sqlite3
 * builds one per call otherwise). Nested inside another transaction it is a savepoint, as there.
 */
export function inTransaction<T>(db: Database.Database, work: () => T): T {
  let run = runners.get(db)
  if (!run) {
    run = db.transaction((inner: () => unknown) => inner())
    runners.set(db, run)
  }
  return run(work) as T
}
