import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { privateDirectory } from '../common/private-files'
import { processAlive } from '../common/process-alive'

/**
 * How the operator CLI, in sandbox mode, reaches the fakes of the sandbox proxy that is running
 * (issue 11: `npx flowform erase --email …` right after a demo signup must find that person).
 *
 * The running sandbox writes `sandbox.json` into its data directory: its URL, its pid and a random
 * token. The fakes are served under `/sandbox/infobip/*` and `/sandbox/rapidpro/*` only to
 * loopback peers that send the token (http/routes/sandbox-upstreams.ts): a sandbox bound to a
 * public interface must not hand its demo people to the internet. The file is 0600 in a 0700
 * directory, like the outbox, so only the proxy's own user can read the token.
 */
export interface SandboxLink {
  url: string
  pid: number
  token: string
}

/** The header that carries the token; never forwarded to a fake. */
export const SANDBOX_TOKEN_HEADER = 'x-flowform-sandbox'

const FILE = 'sandbox.json'

export function newSandboxToken(): string {
  return randomBytes(24).toString('base64url')
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) {
    return false
  }
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Written once the server listens; replaced atomically, so a reader never sees half a file. */
export function writeSandboxLink(dataDir: string, link: SandboxLink): void {
  privateDirectory(dataDir)
  const path = join(dataDir, FILE)
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(link), { mode: 0o600 })
  renameSync(temporary, path)
}

/** Removed when the server stops, but only if it is still this server's (another may have started since). */
export function removeSandboxLink(dataDir: string, token: string): void {
  const current = readSandboxLink(dataDir)
  if (current?.token === token) {
    rmSync(join(dataDir, FILE), { force: true })
  }
}

/** The link a running sandbox left, or null (none, unreadable, or its process is gone). */
export function readSandboxLink(dataDir: string, isAlive: (pid: number) => boolean = processAlive): SandboxLink | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8'))
  } catch {
    return null
  }
  const link = parsed as Partial<SandboxLink> | null
  if (
    typeof link?.url !== 'string' ||
    typeof link.pid !== 'number' ||
    typeof link.token !== 'string' ||
    !isAlive(link.pid)
  ) {
    return null
  }
  return { url: link.url, pid: link.pid, token: link.token }
}

/**
 * A fetch for a client whose base URL is a sandbox's invented host (`https://sandbox.infobip.invalid`):
 * it sends each request to the running proxy's `/sandbox/<upstream>` instead, with the token.
 */
export function remoteSandboxFetch(link: SandboxLink, upstream: 'infobip' | 'rapidpro'): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const original = new URL(request.url)
    const target = `${link.url}/sandbox/${upstream}${original.pathname}${original.search}`
    const headers = new Headers(request.headers)
    headers.set(SANDBOX_TOKEN_HEADER, link.token)
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer()
    return fetch(target, { method: request.method, headers, body, redirect: 'manual', signal: request.signal })
  }
}
