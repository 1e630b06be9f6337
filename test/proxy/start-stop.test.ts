// Stopping the server: SIGTERM answers the signups in progress, closes the outbox and exits 0
// (proxy/stop-on-signals.ts, in-process against a real loopback server), and `npm start` as a real
// process tree stops whole on a SIGTERM to the npm process (package.json's start script execs node).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createInfobipFake, SANDBOX_SEED } from '../../fakes/infobip-fake'
import { createMemoryLogger } from '../../proxy/common/log'
import { stopOnSignals } from '../../proxy/stop-on-signals'
import { buildServer } from '../../scripts/build-server'
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server'
import { startProxy } from '../helpers/start-proxy'
import { tempDir } from '../helpers/temp-dir'
import { freePort, until } from '../helpers/waiting'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

let upstream: RecordingServer | undefined
let child: ChildProcess | undefined
/** The processes npm started: killed after a failed run, so none outlives the test. */
let below: number[] = []
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
  for (const pid of [child?.pid ?? 0, ...below].filter((pid) => pid > 0 && alive(pid))) {
    process.kill(pid, 'SIGKILL')
  }
  child = undefined
  below = []
})

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok
  } catch {
    return false
  }
}

describe('SIGTERM to the server process', () => {
  it('answers the signup in progress, refuses new connections, closes the outbox, then exits 0', async () => {
    // Live mode against a loopback "Infobip" that holds its answer until released.
    const fake = createInfobipFake()
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    upstream = await startRecordingServer(async (request) => {
      await held
      return fake.fetch(request)
    })
    const server = await startProxy({ INFOBIP_BASE_URL: upstream.url, INFOBIP_API_KEY: 'test-key' })
    const { log, text } = createMemoryLogger()
    const signals = new EventEmitter()
    const exits: number[] = []
    stopOnSignals(server, log, { signals, exit: (code) => exits.push(code) })

    const signup = fetch(`${server.url}/v1/forms/welcome-legacy/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ values: { email: 'dina@example.com' } }),
    })
    await upstream.waitForRequests(1, 10_000)
    signals.emit('SIGTERM')
    signals.emit('SIGINT') // Ctrl-C reaches a process under npm twice: one stop only.
    expect(await answers(`${server.url}/healthz`)).toBe(false)
    expect(exits).toEqual([])

    release()
    expect((await signup).status).toBe(200)
    await until(() => exits.length > 0, 10_000, 'the exit')
    expect(exits).toEqual([0])
    expect(fake.flowParticipants(SANDBOX_SEED.legacyCampaignId)).toHaveLength(1)
    expect(() => server.runtime.outbox.count()).toThrow(/not open/)
    expect(text()).toContain('already shutting down')
    expect(text()).toContain('"msg":"stopped"')
  }, 30_000)
})

/** Every process below `pid`, from ps. */
function descendants(pid: number): number[] {
  let out = ''
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
  } catch {
    return [] // ps exits 1 when there is none
  }
  const children = out
    .split('\n')
    .map(Number)
    .filter((n) => n > 0)
  return children.flatMap((c) => [c, ...descendants(c)])
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start', () => {
  beforeAll(async () => {
    // `npm test` builds first; a lone run of this file builds the server part itself.
    if (!existsSync(join(ROOT, 'dist/cli/main.js')) || !existsSync(join(ROOT, 'dist/server/main.js'))) {
      await buildServer(join(ROOT, 'dist'))
    }
  }, 60_000)

  it('stops whole, port and every child process, on one SIGTERM to the npm process', async () => {
    const port = await freePort()
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(INFOBIP_|RAPIDPRO_|FLOWFORM_|npm_)/.test(k)),
    )
    // --ignore-scripts skips prestart (the build): the start script itself, as npm runs it.
    child = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', FLOWFORM_DATA_DIR: join(tempDir('start'), 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)))
    const url = `http://127.0.0.1:${port}`
    await until(() => answers(`${url}/healthz`), 30_000, `/healthz (output so far: ${output})`)
    const npmPid = child.pid ?? 0
    below = descendants(npmPid)
    expect(below.length).toBeGreaterThan(0)

    process.kill(npmPid, 'SIGTERM')
    await Promise.race([
      exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`npm did not exit: ${output}`)), 15_000)),
    ])
    expect(await answers(`${url}/healthz`)).toBe(false)
    await until(() => below.every((pid) => !alive(pid)), 5_000, `children ${below.join(', ')} to end`)
    expect(output).toContain('SANDBOX mode')
    expect(output).toMatch(/"msg":"stopped"/)
  }, 60_000)
})
