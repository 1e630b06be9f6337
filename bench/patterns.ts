// The per-value cost of a field pattern on the server's linear-time engine (re2js, what
// proxy/signup/patterns.ts runs) next to JavaScript's backtracking RegExp (what the widget runs in
// the shopper's own tab), for realistic patterns and for the evil `^(a+)+$`. RegExp gets the evil
// pattern only on a short value: at 31 characters it held the process for 12–48 s.
//
//   npx tsx bench/patterns.ts [iterations=2000]
import { linearPattern } from '../proxy/forms/patterns'

const iterations = Number(process.argv[2] ?? 2_000)

interface Case {
  name: string
  pattern: string
  value: string
  /** Run RegExp too; false where it would not come back in any useful time. */
  regexp: boolean
}

const CASES: Case[] = [
  { name: 'postcode', pattern: '[0-9]{4,5}', value: '8004', regexp: true },
  { name: 'name words', pattern: '([A-Za-z]+ ?)+', value: 'Ana Maria de la Cruz', regexp: true },
  { name: 'name words, hostile 28', pattern: '([A-Za-z]+ ?)+', value: `${'a'.repeat(27)}!`, regexp: false },
  { name: 'customer no.', pattern: 'CU-[0-9]{6}-[A-Z]{2}', value: 'CU-123456-ZH', regexp: true },
  { name: 'evil, 20 chars', pattern: '(a+)+', value: `${'a'.repeat(19)}!`, regexp: true },
  { name: 'evil, 31 chars', pattern: '(a+)+', value: `${'a'.repeat(30)}!`, regexp: false },
  { name: 'evil, 4,000 chars', pattern: '(a+)+', value: `${'a'.repeat(3_999)}!`, regexp: false },
]

/** Microseconds per value, over `n` runs after one warm-up run (which compiles and caches). */
function perValue(test: () => boolean, n: number): number {
  test()
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    test()
  }
  return Number(process.hrtime.bigint() - start) / 1_000 / n
}

const rows = CASES.map((c) => {
  // Long hostile values: fewer runs, so the whole bench stays within seconds.
  const n = c.value.length > 100 ? Math.max(1, Math.floor(iterations / 100)) : iterations
  const re2 = perValue(() => linearPattern(c.pattern, c.value), n)
  const anchored = new RegExp(`^(?:${c.pattern})$`, 'u')
  const regexp = c.regexp ? perValue(() => anchored.test(c.value), Math.max(1, Math.floor(n / 10))) : undefined
  return {
    case: c.name,
    chars: c.value.length,
    're2js µs/value': re2.toFixed(1),
    'RegExp µs/value': regexp === undefined ? '(not run: catastrophic)' : regexp.toFixed(1),
  }
})
console.table(rows)
