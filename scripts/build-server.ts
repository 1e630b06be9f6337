// `npm run build` (after vite builds the widget into dist/): the proxy and the CLI compiled ahead of
// time, so a start runs plain JavaScript instead of compiling TypeScript each time (bin/flowform.js
// falls back to tsx only in a checkout that was never built). Packages stay in node_modules.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** dist/server/main.js (the server), dist/cli/main.js (the CLI) and their shared chunks. */
export const SERVER_OUTPUTS = ['server', 'cli', 'chunks'] as const

export async function buildServer(outdir = 'dist'): Promise<void> {
  // Only our own folders: vite's dist/flowform.js, built just before, stays.
  for (const folder of SERVER_OUTPUTS) {
    rmSync(`${outdir}/${folder}`, { recursive: true, force: true })
  }
  await build({
    entryPoints: { 'server/main': 'proxy/main.ts', 'cli/main': 'proxy/cli/main.ts' },
    outdir,
    bundle: true,
    // Shared code and each lazily loaded command (and the sandbox fakes) in chunks of their own,
    // so `flowform --help` loads only the CLI's entry.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServer()
}
