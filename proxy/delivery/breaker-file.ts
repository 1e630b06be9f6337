import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import { privateDirectory } from '../common/private-files'
import type { BreakerSnapshot } from './upstream-health'
import { processAlive } from '../common/process-alive'

/**
 * The serving proxy's circuit breakers, as the operator's `npx flowform outbox` shows them: the
 * breakers live in the server's memory, so the server writes them to `breakers.json` in the data
 * directory on every change (written whole and renamed into place, 0600), and the CLI reads it.
 * The file names the server's pid: once that process is gone, what it says is unknown.
 */

export const BREAKER_FILE = 'breakers.json'

/** The upstream accounts, in the order the operator sees them (upstream-health.ts UPSTREAMS; kept here so the CLI loads no breaker library). */
export const BREAKER_UPSTREAMS = ['infobip', 'rapidpro'] as const

const File = z.object({
  pid: z.number().int(),
  writtenAt: z.number(),
  upstreams: z.array(
    z.object({
      upstream: z.enum(BREAKER_UPSTREAMS),
      state: z.enum(['closed', 'open', 'half-open']),
      since: z.number(),
      probeAt: z.number().optional(),
      reason: z.string().optional(),
    }),
  ),
})

export type BreakerFile = z.infer<typeof File>

export function writeBreakerFile(dataDir: string, upstreams: BreakerSnapshot[], now = Date.now()): void {
  privateDirectory(dataDir)
  const file = join(dataDir, BREAKER_FILE)
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  const content: BreakerFile = { pid: process.pid, writtenAt: now, upstreams }
  writeFileSync(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600 })
  // A reader sees the old file or the new one, never half of one.
  renameSync(temporary, file)
}

/** The server stopped: what it knew about the upstreams no longer holds. */
export function removeBreakerFile(dataDir: string): void {
  rmSync(join(dataDir, BREAKER_FILE), { force: true })
}

/** The breakers of the running server, or null when there is none (no file, unreadable, or its process is gone). */
export function readBreakerFile(dataDir: string, alive: (pid: number) => boolean = processAlive): BreakerFile | null {
  let text: string
  try {
    text = readFileSync(join(dataDir, BREAKER_FILE), 'utf8')
  } catch {
    return null
  }
  let parsed: ReturnType<typeof File.safeParse>
  try {
    parsed = File.safeParse(JSON.parse(text))
  } catch {
    return null
  }
  return parsed.success && alive(parsed.data.pid) ? parsed.data : null
}
