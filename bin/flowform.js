#!/usr/bin/env node
// `npx flowform …`: the operator CLI, and `flowform serve`, the server. `npm run build` compiles both
// ahead of time into dist/ (scripts/build-server.ts); a checkout that was never built runs the
// TypeScript through tsx's loader instead (registered for this process only), which starts slower.
// After changing proxy/ code, build again (or delete dist/cli) so this does not run the old code.
import { existsSync } from 'node:fs'
import { URL } from 'node:url'

const compiled = new URL('../dist/cli/main.js', import.meta.url)
const source = existsSync(compiled)
  ? await import(compiled.href)
  : await import('tsx/esm/api').then(({ register }) => {
      register()
      return import('../proxy/cli/main.ts')
    })
process.exitCode = await source.runCli(process.argv.slice(2))
