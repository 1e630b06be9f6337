import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

function removeAll(): void {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Under vitest: one file-level hook per test file. Vitest evaluates this module afresh for every
// file (isolation is on), during collection, so the hook belongs to the file that imported it; files
// close their servers and databases in their own after-hooks, which run first (after-hooks run in
// reverse order of registration, and this one is registered at import). Outside vitest (the
// screenshots script starts a proxy too) the folders go when the process exits.
if (process.env.VITEST) {
  const { afterAll } = await import('vitest')
  afterAll(removeAll)
} else {
  process.once('exit', removeAll)
}

/**
 * A fresh `/tmp/flowform-<name>-XXXXXX` directory, removed with everything in it once the test file
 * has finished. Import this helper statically (not from inside a test): it registers its cleanup
 * when the module loads.
 */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `flowform-${name}-`))
  made.push(dir)
  return dir
}
