#!/usr/bin/env node
// `npx flowform …`: the operator CLI. It is TypeScript (proxy/cli/main.ts), run through tsx's ESM
// loader so a checkout needs no build step; the loader is registered for this process only.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../proxy/cli/main.ts')
process.exitCode = await runCli(process.argv.slice(2))
