import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The path of a signup reads top-down: folders depend on each other in one direction only. The
 * linter's import-x/no-cycle sees cycles between files; this sees them between folders (delivery →
 * upstreams → delivery through two different files is no file cycle, but is back-and-forth). The
 * files at the top of proxy/ and widget/ (main, runtime, server, index) are the composition roots:
 * they may import every folder, and no folder may import them — but for the operator CLI, whose
 * `flowform serve` is the server's other entry.
 */
const ENTRY_FOLDERS = ['proxy/cli']
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const SIDES = ['proxy', 'widget', 'contract']

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      return sources(path)
    }
    return /\.tsx?$/.test(entry.name) ? [path] : []
  })
}

/** `proxy/delivery/targets/x.ts` → `proxy/delivery`; a file at the top of a side is its root. */
function folderOf(file: string): string {
  const [side, second, third] = file.split('/')
  if (side === 'contract') {
    return side
  }
  return third === undefined ? `${side}/(root)` : `${side}/${second}`
}

function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>()
  for (const file of SIDES.flatMap(sources)) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative('.', normalize(join(dirname(file), match[1] as string)))
      const from = folderOf(file)
      const to = folderOf(`${target}.ts`)
      if (from !== to && SIDES.includes(target.split('/')[0] as string)) {
        const edges = graph.get(from) ?? new Map<string, string[]>()
        edges.set(to, [...(edges.get(to) ?? []), `${file} → ${match[1]}`])
        graph.set(from, edges)
      }
    }
  }
  return graph
}

/** Every cycle of folders, each as the list of imports that make it (depth-first search). */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const found: string[][] = []
  const visit = (node: string, path: string[], seen: Set<string>) => {
    for (const [next, why] of graph.get(node) ?? []) {
      const start = path.indexOf(next)
      if (start !== -1) {
        found.push([...path.slice(start), next, `(${why[0]})`])
      } else if (!seen.has(next)) {
        seen.add(next)
        visit(next, [...path, next], seen)
      }
    }
  }
  for (const node of graph.keys()) {
    visit(node, [node], new Set([node]))
  }
  return found
}

describe('folders depend on each other in one direction', () => {
  const graph = folderGraph()

  it('sees the imports it checks (a graph with the expected edges)', () => {
    expect(graph.get('proxy/delivery')?.has('proxy/upstreams')).toBe(true)
    expect(graph.get('proxy/(root)')?.has('proxy/http')).toBe(true)
    expect(graph.get('widget/embed')?.has('widget/form')).toBe(true)
  })

  it('has no cycle between folders', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('finds a cycle when there is one', () => {
    const looped = new Map(graph)
    looped.set('proxy/upstreams', new Map([['proxy/delivery', ['made up for this test']]]))
    expect(cycles(looped).length).toBeGreaterThan(0)
  })

  it('imports no composition root from a folder', () => {
    const intoRoot = [...graph].flatMap(([from, edges]) =>
      [...edges]
        .filter(([to]) => to.endsWith('/(root)') && !from.endsWith('/(root)') && !ENTRY_FOLDERS.includes(from))
        .flatMap(([, why]) => why),
    )
    expect(intoRoot).toEqual([])
  })
})
