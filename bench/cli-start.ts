// How fast `flowform --help` answers: the compiled CLI (dist/cli, `npm run build`) against a bare
// `node -e 0` on the same machine, and against running the TypeScript through tsx as before the
// build step existed. Target: under 150 ms. Exits 1 when the compiled CLI misses it, or when dist/
// was not built.
//
// Wall-clock, so a benchmark and not a unit test: on a loaded machine it can miss without anything
// being wrong (the share above bare node says how much is the CLI's own).
//
//   npx tsx bench/cli-start.ts [RUNS=15]
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const RUNS = Number(process.argv[2] ?? 15)
const TARGET_MS = 150
const root = fileURLToPath(new URL('..', import.meta.url))

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Median and fastest wall time of `node <args>`, in ms; one warm-up run first. */
function measure(args: string[]): { median: number; min: number } {
  const times: number[] = []
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) {
      throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`)
    }
    if (i > 0) {
      times.push(ms)
    }
  }
  return { median: median(times), min: Math.min(...times) }
}

if (!existsSync(`${root}dist/cli/main.js`)) {
  console.error('cli-start: dist/cli/main.js is missing; run `npm run build` first')
  process.exit(1)
}
/** Loading the compiled CLI and answering --help, timed inside a fresh node: node's own boot left out. */
const INSIDE = `const t = performance.now(); const { runCli } = await import('./dist/cli/main.js');
await runCli(['--help'], { stdout: { write() {} } }); process.stdout.write(String(performance.now() - t))`

function measureInside(): { median: number; min: number } {
  const times: number[] = []
  for (let i = 0; i <= RUNS; i++) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', INSIDE], { cwd: root })
    if (i > 0) {
      times.push(Number(result.stdout.toString()))
    }
  }
  return { median: median(times), min: Math.min(...times) }
}

const bare = measure(['-e', '0'])
const compiled = measure(['bin/flowform.js', '--help'])
const source = measure(['--import', 'tsx', 'proxy/cli/main.ts', '--help'])
const row = (name: string, m: { median: number; min: number }) =>
  `${name.padEnd(34)} median ${m.median.toFixed(0).padStart(5)} ms   fastest ${m.min.toFixed(0).padStart(5)} ms`
console.log(`flowform --help, ${RUNS} runs each:`)
console.log(row('node -e 0 (bare node)', bare))
console.log(row('flowform --help (compiled, dist/)', compiled))
console.log(row('  of it, loading the CLI + answer', measureInside()))
console.log(row('flowform --help (tsx, no build)', source))
console.log(`the CLI's own share above bare node: ${(compiled.median - bare.median).toFixed(0)} ms (median)`)
const ok = compiled.median < TARGET_MS
console.log(
  `${ok ? 'OK' : 'MISSED'}: compiled --help median ${compiled.median.toFixed(0)} ms, target < ${TARGET_MS} ms`,
)
process.exitCode = ok ? 0 : 1
