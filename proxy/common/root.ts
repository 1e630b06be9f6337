import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The package's root folder (where package.json, demo/ and dist/flowform.js are), with a trailing
 * slash. Found by walking up from this module rather than a fixed `..`: the same code runs from
 * proxy/ through tsx and from dist/…/ once compiled, at different depths.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) {
      throw new Error(`flowform: no package.json above ${fileURLToPath(from)}`)
    }
    dir = parent
  }
  return `${dir}/`
}
