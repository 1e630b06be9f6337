import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ConfigError } from '../config/load'
import type { EnvError } from '../config/env'
import { type CliIo, printer, type Printer, UsageError } from './io'
import { closeAll } from './sessions'

/**
 * The operator CLI (`npx flowform …`, bin/flowform.js). It reads the same environment and config
 * as the server and builds the same clients; without credentials it talks to a fresh sandbox fake.
 * Exit codes: 0 fine, 1 something failed (config, upstream, a check), 2 the command line is wrong.
 */

type Command = (args: string[], io: CliIo, print: Printer) => Promise<number>

// Commands are loaded when run, so one command's dependencies never stop another from working.
const COMMANDS: Record<string, { usage: string; run: () => Promise<Command> }> = {
  serve: { usage: 'flowform serve', run: async () => serve },
  worker: { usage: 'flowform worker', run: async () => worker },
  'forms list': {
    usage:
      'flowform forms list [--status ACTIVE|DRAFT|DISABLED] [--type OPT_IN|OPT_OUT|FACEBOOK|LIVECHAT|APPLE|CSAT|WA_FLOW]',
    run: async () => (await import('./forms-list')).formsList,
  },
  'flow remove': {
    usage: 'flowform flow remove --form <form id> (--email <address> | --phone <number> | --external-id <id>)',
    run: async () => (await import('./flow-remove')).flowRemove,
  },
  check: { usage: 'flowform check', run: async () => (await import('./check')).check },
  'rapidpro sync': {
    usage: 'flowform rapidpro sync --form <form id>',
    run: async () => (await import('./rapidpro')).rapidproSync,
  },
  'rapidpro delete': {
    usage: 'flowform rapidpro delete (--email <address> | --phone <number>)',
    run: async () => (await import('./rapidpro')).rapidproDelete,
  },
  erase: {
    usage: 'flowform erase (--email <address> | --phone <number>)',
    run: async () => (await import('./erase')).erase,
  },
  consent: {
    usage: 'flowform consent (--email <address> | --phone <number>)',
    run: async () => (await import('./consent')).consent,
  },
  outbox: { usage: 'flowform outbox', run: async () => (await import('./outbox-view')).outboxSummary },
  'outbox list': {
    usage: 'flowform outbox list [--status pending|awaiting|failed|rejected|done] [--form <form id>] [--limit N]',
    run: async () => (await import('./outbox-view')).outboxList,
  },
  'outbox retry': {
    usage: 'flowform outbox retry (<delivery id>… | --all-failed [--form <form id>])',
    run: async () => (await import('./outbox-fix')).outboxRetry,
  },
  'outbox purge': {
    usage: 'flowform outbox purge --done-older-than <days>',
    run: async () => (await import('./outbox-fix')).outboxPurge,
  },
}

/**
 * The server, in this process: importing its entry starts it, and it stays up after this returns
 * (its listening socket keeps the process alive) until SIGTERM or SIGINT stops it.
 */
async function serve(args: string[]): Promise<number> {
  if (args.length > 0) {
    throw new UsageError(
      `serve takes no arguments (found ${args.join(' ')}); it reads PORT, HOST and the rest from the environment`,
    )
  }
  await import('../main')
  return 0
}

/** Delivery only, in this process (proxy/worker-main.ts): no listener; SIGTERM or SIGINT stops it. */
async function worker(args: string[]): Promise<number> {
  if (args.length > 0) {
    throw new UsageError(`worker takes no arguments (found ${args.join(' ')}); it reads the environment as serve does`)
  }
  await import('../worker-main')
  return 0
}

export const USAGE = [
  'Usage:',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  '',
  '`flowform serve` starts the server (what `npm start` runs after the build); SIGTERM or Ctrl-C stops it.',
  '`flowform worker` delivers without listening (with FLOWFORM_DATABASE_URL, next to ingress instances run with FLOWFORM_WORKER=off).',
  'The other commands read the same environment (INFOBIP_*, RAPIDPRO_*, FLOWFORM_CONFIG, FLOWFORM_DATA_DIR) and config file as the server;',
  "the outbox, consent and erase commands open the server's store (its outbox file, or FLOWFORM_DATABASE_URL), also while it runs.",
  'consent prints what the person agreed to (form, time, locale, version, page, text); erase also deletes it.',
  'Without Infobip credentials it talks to a fresh in-process sandbox fake.',
].join('\n')

export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const print = printer(io)
  const [first, second] = argv
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    print.out(USAGE)
    return first === undefined ? 2 : 0
  }
  const name = COMMANDS[`${first} ${second ?? ''}`] ? `${first} ${second}` : first
  const command = COMMANDS[name]
  if (!command) {
    print.err(`flowform: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}`)
    return 2
  }
  const rest = argv.slice(name.split(' ').length)
  if (rest.includes('--help') || rest.includes('-h')) {
    print.out(`Usage: ${command.usage}`)
    return 0
  }
  try {
    const run = await command.run()
    return await run(rest, io, print)
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      print.err(`flowform: ${(error as Error).message}\nUsage: ${command.usage}`)
      return 2
    }
    if (isConfigProblem(error)) {
      print.err(`flowform: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    await closeAll()
  }
}

/**
 * A ConfigError or EnvError, told by name: importing the classes would load the config schema
 * (zod and every rule) before `flowform --help` can answer.
 */
function isConfigProblem(error: unknown): error is ConfigError | EnvError {
  return error instanceof Error && (error.name === 'ConfigError' || error.name === 'EnvError')
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
}

/** Run as a script: `node --import tsx proxy/cli/main.ts …`. */
function isMain(): boolean {
  const script = process.argv[1]
  if (!script) {
    return false
  }
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) {
  process.exitCode = await runCli(process.argv.slice(2))
}
