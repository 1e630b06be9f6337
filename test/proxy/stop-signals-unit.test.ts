// The pieces of a clean stop and a readable terminal, on their own: the stop's deadline (fake
// timers) and where log lines go (pino-pretty on a terminal, JSON otherwise).
import { EventEmitter } from 'node:events'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, createMemoryLogger } from '../../proxy/common/log'
import { logDestination } from '../../proxy/log-transport'
import { STOP_DEADLINE_MS, stopOnSignals } from '../../proxy/stop-on-signals'

afterEach(() => {
  vi.useRealTimers()
})

describe('stopOnSignals', () => {
  it('exits 1 when the stop hangs past its deadline', async () => {
    vi.useFakeTimers()
    const signals = new EventEmitter()
    const exits: number[] = []
    const { log, text } = createMemoryLogger()
    stopOnSignals({ close: () => new Promise<void>(() => {}) }, log, { signals, exit: (code) => exits.push(code) })
    signals.emit('SIGTERM')
    await vi.advanceTimersByTimeAsync(STOP_DEADLINE_MS - 1)
    expect(exits).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(exits).toEqual([1])
    expect(text()).toContain('shutdown took too long')
  })

  it('still stops when logging throws', async () => {
    const signals = new EventEmitter()
    const exits: number[] = []
    const log = createLogger({
      destination: {
        write: () => {
          throw new Error('EPIPE')
        },
      },
    })
    let closed = 0
    stopOnSignals({ close: async () => void closed++ }, log, { signals, exit: (code) => exits.push(code) })
    signals.emit('SIGINT')
    signals.emit('SIGTERM')
    await vi.waitFor(() => expect(exits).toEqual([0]))
    expect(closed).toBe(1)
  })
})

describe('logDestination', () => {
  it('writes readable lines on a terminal', async () => {
    let written = ''
    const terminal = Object.assign(
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          written += chunk.toString()
          done()
        },
      }),
      { isTTY: true },
    )
    const log = createLogger({ destination: await logDestination(terminal) })
    log.info({ url: 'http://127.0.0.1:8787', mode: 'sandbox' }, 'listening')
    await vi.waitFor(() => expect(written).toContain('listening'))
    expect(written).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: listening\n/)
    expect(written).toContain('url: "http://127.0.0.1:8787"')
    expect(written).not.toContain('"level"')
    expect(written).not.toContain('hostname')
  })

  it('leaves JSON (pino’s own stdout) when not a terminal', async () => {
    expect(await logDestination(Object.assign(new Writable(), { isTTY: false }))).toBeUndefined()
    expect(await logDestination(new Writable())).toBeUndefined()
  })
})
