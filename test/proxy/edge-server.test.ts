// The Node server against raw sockets on 127.0.0.1: slow clients are cut off, open connections
// are capped, and the data directory is private.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../proxy/config/defaults'
import { readEnv } from '../../proxy/config/env'
import { Outbox } from '../../proxy/delivery/outbox'
import { type RunningServer, startServer } from '../../proxy/server'
import { createMemoryLogger } from '../../proxy/common/log'
import { startProxy } from '../helpers/start-proxy'
import { tempDir } from '../helpers/temp-dir'

let running: RunningServer | undefined
const sockets: Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.destroy()
  }
  await running?.close(0)
  running = undefined
})

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket))
    socket.on('error', reject)
    sockets.push(socket)
  })
}

/** Resolves with what the server wrote once it closes the socket. */
function closed(socket: Socket): Promise<string> {
  let received = ''
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
  return new Promise((resolve) => socket.on('close', () => resolve(received)))
}

const mode = (path: string) => statSync(path).mode & 0o777

describe('slow clients', () => {
  it('defaults cut a request off within seconds, not Node’s 300', () => {
    expect(DEFAULTS.requestTimeoutMs).toBeLessThanOrEqual(30_000)
    expect(DEFAULTS.headersTimeoutMs).toBeLessThanOrEqual(DEFAULTS.requestTimeoutMs)
  })

  it('a body trickled in byte by byte is cut off at the request timeout', async () => {
    const env = readEnv({ PORT: '0', HOST: '127.0.0.1', FLOWFORM_DATA_DIR: join(tempDir('edge'), 'data') })
    running = await startServer({
      env,
      log: createMemoryLogger().log,
      timeouts: { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000 },
    })
    const socket = await open(running.url)
    const done = closed(socket)
    const startedAt = Date.now()
    socket.write(
      [
        'POST /v1/forms/welcome/submissions HTTP/1.1',
        'Host: 127.0.0.1',
        // The built-in demo config allows the server's own origin.
        `Origin: ${running.url}`,
        'Content-Type: application/json',
        'Content-Length: 1000',
        '',
        '',
      ].join('\r\n'),
    )
    const trickle = setInterval(() => socket.writable && socket.write('{'), 300)
    try {
      const answer = await done
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      // Generous: the limit is 1.5 s, checked every second; Node's default would be 300 s.
      expect(Date.now() - startedAt).toBeLessThan(10_000)
    } finally {
      clearInterval(trickle)
    }
  }, 15_000)
})

describe('open connections', () => {
  it('beyond FLOWFORM_MAX_CONNECTIONS a new connection is closed at once', async () => {
    const proxy = await startProxy({ FLOWFORM_MAX_CONNECTIONS: '2' })
    running = proxy
    await open(proxy.url)
    await open(proxy.url)
    const third = await open(proxy.url)
    const answer = await closed(third)
    expect(answer).toBe('')
    for (const socket of sockets.splice(0)) {
      socket.destroy()
    }
    await expect.poll(async () => (await fetch(`${proxy.url}/healthz`).catch(() => null))?.status).toBe(200)
  })

  it('is configurable, with a default', () => {
    expect(readEnv({}).maxConnections).toBe(DEFAULTS.maxConnections)
    expect(readEnv({ FLOWFORM_MAX_CONNECTIONS: '50' }).maxConnections).toBe(50)
    expect(() => readEnv({ FLOWFORM_MAX_CONNECTIONS: '0' })).toThrow(/FLOWFORM_MAX_CONNECTIONS/)
  })
})

describe('the data directory', () => {
  it('is created 0700, with the database and its -wal and -shm files 0600', async () => {
    const proxy = await startProxy()
    running = proxy
    const dir = proxy.env.dataDir
    expect(mode(dir)).toBe(0o700)
    for (const file of ['outbox.db', 'outbox.db-wal', 'outbox.db-shm']) {
      expect(mode(join(dir, file)), file).toBe(0o600)
    }
  })

  it('is tightened when an older version left it readable', () => {
    const dir = join(tempDir('edge'), 'old')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'outbox.db-wal'), '')
    chmodSync(join(dir, 'outbox.db-wal'), 0o644)
    const outbox = Outbox.open(dir)
    try {
      expect(mode(dir)).toBe(0o700)
      expect(mode(join(dir, 'outbox.db'))).toBe(0o600)
      expect(mode(join(dir, 'outbox.db-wal'))).toBe(0o600)
    } finally {
      outbox.close()
    }
  })
})
