// eslint.config.js keeps the fakes out of production code: proxy/, widget/ and contract/ may not
// import fakes/ statically (types included); the sandbox's dynamic import() stays allowed.
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RULE = '@typescript-eslint/no-restricted-imports'

async function refusals(filePath: string, code: string): Promise<number[]> {
  const eslint = new ESLint({ cwd: ROOT })
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.line)
}

describe('production ↛ fakes', () => {
  it('refuses static imports, type imports and re-exports of fakes/ in proxy/, widget/ and contract/', async () => {
    const code = [
      "import { createInfobipFake } from '../../fakes/infobip-fake'",
      "import type { RapidproFake } from '../fakes/rapidpro-fake'",
      "export type { FaultMatch } from '../fakes/faults'",
      'export const uses: unknown[] = [createInfobipFake, null as RapidproFake | null]',
      '',
    ].join('\n')
    for (const file of ['proxy/upstreams/x.ts', 'widget/x.ts', 'contract/x.ts']) {
      expect(await refusals(`${ROOT}${file}`, code)).toEqual([1, 2, 3])
    }
  }, 30_000)

  it('allows the dynamic import() that sandbox mode uses, and any import in tests', async () => {
    const dynamic = "export const load = () => import('../../../fakes/infobip-fake')\n"
    expect(await refusals(`${ROOT}proxy/upstreams/infobip/x.ts`, dynamic)).toEqual([])
    const inTest = "import { createInfobipFake } from '../../fakes/infobip-fake'\nexport const f = createInfobipFake\n"
    expect(await refusals(`${ROOT}test/proxy/x.test.ts`, inTest)).toEqual([])
  }, 30_000)
})
