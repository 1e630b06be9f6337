import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/**
 * axe-core in a real page. The source goes in through `page.evaluate`, which DevTools runs
 * outside the page's Content-Security-Policy, so it also works on pages whose CSP would block
 * `addScriptTag`. axe looks inside open shadow roots by default, which is where the form lives.
 */

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical'

export interface AxeViolation {
  id: string
  impact: Impact | null
  help: string
  helpUrl: string
  nodes: { target: string; failureSummary: string }[]
}

export interface AxeOptions {
  /** What to analyse: a CSS selector in the light DOM; default the whole document. */
  include?: string
  /** Impacts that count; default serious and critical. */
  impacts?: Impact[]
}

async function injectAxe(page: Page): Promise<void> {
  const present = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object')
  if (!present) {
    // A string is evaluated as a script in the page's main world; axe's UMD wrapper sets window.axe.
    await page.evaluate(AXE_SOURCE)
  }
}

/** Runs axe on the page as it is now and returns the violations of the given impacts. */
export async function axeViolations(page: Page, options: AxeOptions = {}): Promise<AxeViolation[]> {
  const impacts = options.impacts ?? ['serious', 'critical']
  await injectAxe(page)
  const violations = await page.evaluate(async (include) => {
    interface AxeNode {
      target: unknown[]
      failureSummary?: string
    }
    interface AxeResult {
      id: string
      impact?: string | null
      help: string
      helpUrl: string
      nodes: AxeNode[]
    }
    const axe = (
      window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeResult[] }> } }
    ).axe
    const results = await axe.run(include ?? document, { resultTypes: ['violations'] })
    // Shadow DOM targets are arrays of selectors: "host >>> inner". (No named inner functions:
    // tsx would wrap them in a helper the page does not have.)
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target
          .map((t) => (Array.isArray(t) ? (t as unknown[]).flat(9).join(' >>> ') : String(t)))
          .join(' | '),
        failureSummary: n.failureSummary ?? '',
      })),
    }))
  }, options.include)
  return (violations as AxeViolation[]).filter((v) => v.impact !== null && impacts.includes(v.impact))
}

/** One readable block per violation: rule id, impact, help, and each failing node with axe's reason. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`)
        .join('\n')
      return `${v.id} [${v.impact}] ${v.help} (${v.helpUrl})\n${nodes}`
    })
    .join('\n')
}

/**
 * Throws with a readable report when axe finds serious or critical violations; `label` says which
 * state of the page was analysed ("popup open", "after a validation error", ...).
 */
export async function expectNoSeriousViolations(page: Page, label: string, options: AxeOptions = {}): Promise<void> {
  const violations = await axeViolations(page, options)
  if (violations.length > 0) {
    throw new Error(
      `axe: ${violations.length} serious/critical violation(s) ${label}:\n${formatViolations(violations)}`,
    )
  }
}
