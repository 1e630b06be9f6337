import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * The data directory holds people's data and upstream answers: only the proxy's own user may read
 * it. Modes are set explicitly (not by umask) so that a directory or file from an older version,
 * created 0755/0644, is tightened too.
 */
export function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/**
 * Creates the SQLite file 0600 (in a 0700 directory) before SQLite opens it. SQLite creates its `-wal` and `-shm` files
 * with the database file's own mode, so they follow; ones left by an older version are tightened.
 */
export function privateDatabaseFile(file: string): string {
  if (file === ':memory:') {
    return file
  }
  privateDirectory(dirname(file))
  closeSync(openSync(file, 'a', 0o600))
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) {
      chmodSync(path, 0o600)
    }
  }
  return file
}
