// What each module costs the widget bundle (dist/flowform.js), to find where its bytes go.
//
//   npx tsx bench/bundle-cost.ts
//
// Built with the repository's vite.config.ts, unminified, so each module's own output can be read
// from the chunk; each is then minified alone (esbuild) and gzipped at level 9. "alone" is that
// module's gzip size by itself; "in bundle" is how much the gzip of all modules together shrinks
// when it is left out, which counts what it shares with the others (repeated names, CSS words).
// Neither adds up exactly to the real bundle, printed last for comparison, with the lazy chunks
// beside it (flowform-<name>.js: loaded only by the forms that need them, see widget/lazy/chunk.ts).
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { transform } from 'esbuild'
import { build, type Plugin } from 'vite'
import { LAZY_CHUNKS } from '../vite.config'

const root = process.cwd()
const gz = (text: string): number => gzipSync(text, { level: 9 }).byteLength
/** As test/widget/bundle-size.test.ts asserts it. */
const BUDGET = 12_750

/** Each module's rendered code in the main bundle, by path, in bundle order (the lazy chunks are built apart). */
async function moduleCodes(): Promise<[string, string][]> {
  const found: [string, string][] = []
  const capture: Plugin = {
    name: 'capture-modules',
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') {
          for (const [id, module] of Object.entries(output.modules)) {
            found.push([relative(root, id).replace(/^.*node_modules\//, ''), module.code ?? ''])
          }
        }
      }
    },
  }
  process.env.NODE_ENV = 'production'
  await build({
    configFile: join(root, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'silent',
    plugins: [capture],
    // CSS minified as it ships (minify: false would leave the stylesheet string unminified too).
    build: { minify: false, cssMinify: true, write: false },
  })
  return found
}

async function main(): Promise<void> {
  const modules = await moduleCodes()
  const minified = await Promise.all(
    modules.map(async ([name, code]) => {
      const { code: min } = await transform(code, { minify: true, target: 'es2020', format: 'esm' })
      return { name, min }
    }),
  )
  const all = minified.map((m) => m.min).join('\n')
  const total = gz(all)
  const rows = minified.map(({ name, min }, index) => ({
    name,
    alone: gz(min),
    inBundle:
      total -
      gz(
        minified
          .filter((_, i) => i !== index)
          .map((m) => m.min)
          .join('\n'),
      ),
  }))
  rows.sort((a, b) => b.inBundle - a.inBundle)
  console.log('bundle cost per module (bytes of gzip -9)')
  console.log(`${'module'.padEnd(40)} ${'alone'.padStart(7)} ${'in bundle'.padStart(10)}`)
  for (const row of rows) {
    console.log(`${row.name.padEnd(40)} ${String(row.alone).padStart(7)} ${String(row.inBundle).padStart(10)}`)
  }
  const shipped = (file: string): string => {
    try {
      return `${gz(readFileSync(join(root, 'dist', file), 'utf8'))} bytes`
    } catch {
      // No dist/ yet: the table above is still right.
      return 'not built (run "npm run build")'
    }
  }
  console.log(`${'all modules, minified one by one'.padEnd(40)} ${String(total).padStart(7)}`)
  console.log(`dist/flowform.js gzip -9: ${shipped('flowform.js')} (budget ${BUDGET}, target 13000)`)
  for (const [name, entry] of Object.entries(LAZY_CHUNKS)) {
    console.log(`  lazy dist/flowform-${name}.js gzip -9: ${shipped(`flowform-${name}.js`)} (${entry})`)
  }
}

await main()
