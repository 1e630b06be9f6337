// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Window } from 'happy-dom'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DE } from '../../contract/locales/de'
import { HR } from '../../contract/locales/hr'
import { EN } from '../../contract/texts'
import { LAZY_CHUNKS } from '../../vite.config'

/**
 * The budget of the one file every shop page loads. Built here, with the repository's own
 * vite.config.ts, so the test measures what `npm run build` ships and not a stale dist/.
 */

/**
 * Bytes of gzip (level 9). The budget is 15,000 and its target 13,000; with the popup,
 * the submission (value rules, post, outcome) and the challenges in lazy chunks the bundle is
 * about 12,680, and this holds it there with a small margin, so a change that adds to every shop
 * page is a decision, not a drift.
 */
const BUDGET_BYTES = 12_750

let outDir: string
let files: string[]
let code: string
/** The lazy chunks' code by file name. */
let chunks: Record<string, string>

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'flowform-bundle-'))
  // vitest sets NODE_ENV=test, which makes the JSX transform emit its development form; `npm run
  // build` runs without it, and that is what ships.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: join(process.cwd(), 'vite.config.ts'),
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    })
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
  files = readdirSync(outDir)
  code = readFileSync(join(outDir, 'flowform.js'), 'utf8')
  chunks = Object.fromEntries(
    files.filter((f) => f !== 'flowform.js').map((f) => [f, readFileSync(join(outDir, f), 'utf8')]),
  )
}, 120_000)

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true })
})

describe('dist/flowform.js', () => {
  it('is one JavaScript file with its CSS inside, and one ES module per lazy chunk beside it', () => {
    expect(files.sort()).toEqual(
      ['flowform.js', ...Object.keys(LAZY_CHUNKS).map((name) => `flowform-${name}.js`)].sort(),
    )
    expect(files.filter((f) => f.endsWith('.css'))).toEqual([])
  })

  it('leaves the lazy parts out of the main bundle: the challenge solver, the dialog controller and its styles, the submission', () => {
    // `/submissions` and the value rules' texts are the submission chunk's alone.
    for (const part of ['PBKDF2', 'grecaptcha', 'showModal', 'dialog::backdrop', '/submissions', 'error.required']) {
      expect(code).not.toContain(part)
    }
    expect(chunks['flowform-challenge.js']).toContain('PBKDF2')
    expect(chunks['flowform-dialog.js']).toContain('showModal')
    expect(chunks['flowform-dialog.js']).toContain('::backdrop')
    // Importable by URL: ES modules with the exports the main bundle calls.
    expect(chunks['flowform-challenge.js']).toMatch(/export\s*\{[^}]*\bcreateSolver\b/)
    expect(chunks['flowform-dialog.js']).toMatch(/export\s*\{[^}]*\bcreateDialog\b[^}]*\}/)
    expect(chunks['flowform-submit.js']).toContain('/submissions')
    expect(chunks['flowform-submit.js']).toMatch(/export\s*\{[^}]*\bsubmit\b[^}]*\}/)
    expect(chunks['flowform-submit.js']).toMatch(/export\s*\{[^}]*\brecheck\b[^}]*\}/)
  })

  it(`stays within ${BUDGET_BYTES} bytes of gzip`, () => {
    const size = gzipSync(code, { level: 9 }).byteLength
    console.info(`[bundle-size] flowform.js: ${code.length} bytes, ${size} bytes gzip (budget ${BUDGET_BYTES})`)
    for (const [file, chunk] of Object.entries(chunks)) {
      console.info(
        `[bundle-size] ${file}: ${chunk.length} bytes, ${gzipSync(chunk, { level: 9 }).byteLength} bytes gzip`,
      )
    }
    expect(size).toBeLessThanOrEqual(BUDGET_BYTES)
  })

  it('has nothing a strict CSP or a browser without Node would refuse, in the bundle or a chunk', () => {
    for (const text of [code, ...Object.values(chunks)]) {
      expect(text).not.toContain('process.env')
      expect(text).not.toMatch(/\beval\(/)
      expect(text).not.toMatch(/new Function\b/)
      // No style attributes from JS: CSP's style-src-attr would block them.
      expect(text).not.toMatch(/setAttribute\(\s*[`'"]style[`'"]/)
      expect(text).not.toMatch(/\bstyle:\s*[`'"{]/)
    }
  })

  it('carries the few boot texts, not the text tables, English included (the proxy sends those)', () => {
    expect(code).toContain('The form could not be loaded.')
    expect(code).toContain('Das Formular konnte nicht geladen werden.')
    for (const text of [
      EN['error.required'],
      EN['success.heading'],
      DE['error.required'],
      DE['status.enrolled'],
      HR['alert.failed'],
      DE['error.unknown'],
    ]) {
      expect(code).not.toContain(text)
    }
  })

  it('exposes only window.Flowform: the IIFE leaks no other global', async () => {
    // Run in a page of its own, as a shop's <script> would, and compare the globals before and after.
    const page = new Window({ url: 'https://shop.test/' })
    try {
      const before = new Set(Object.getOwnPropertyNames(page))
      page.eval(code)
      expect(Object.getOwnPropertyNames(page).filter((name) => !before.has(name))).toEqual(['Flowform'])
      expect(typeof (page as unknown as { Flowform: { mount?: unknown } }).Flowform.mount).toBe('function')
    } finally {
      await page.happyDOM.close()
    }
  })
})
