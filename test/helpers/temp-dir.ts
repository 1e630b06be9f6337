import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const made: string[] = []

// Vitest evaluates this module afresh for every test file (isolation is on), during collection, so
// this registers one file-level hook per file that uses the helper. Files keep their servers and
// databases open until their own after-hooks have run; vitest runs after-hooks in reverse order of
// registration, so this one, registered at import, runs last.
afterAll(() => {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true })
  }
})

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
