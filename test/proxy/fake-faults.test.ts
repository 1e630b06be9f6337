// fakes/faults.ts: the one fault-injection step both fakes run before answering, so that
// `failNext` scripts the Infobip and the RapidPro fake the same way.
import { describe, expect, it } from 'vitest'
import { FaultQueue, injectedFault, passesThrough } from '../../fakes/faults'
import { createInfobipFake } from '../../fakes/infobip-fake'
import { createRapidproFake } from '../../fakes/rapidpro-fake'

const never = new AbortController().signal

describe('FaultQueue', () => {
  it('matches method (any case) and exact path or RegExp, first queued first, `times` uses each', () => {
    const faults = new FaultQueue()
    faults.add({ method: 'post', path: '/a' }, { status: 500 }, 2)
    faults.add({ path: /^\/b/ }, { status: 429 }, 1)
    expect(faults.take('GET', '/a')).toBeUndefined()
    expect(faults.take('POST', '/a')).toEqual({ status: 500 })
    expect(faults.take('POST', '/a')).toEqual({ status: 500 })
    expect(faults.take('POST', '/a')).toBeUndefined()
    expect(faults.take('DELETE', '/b/1')).toEqual({ status: 429 })
    expect(faults.take('DELETE', '/b/1')).toBeUndefined()
  })

  it('refuses a `times` that is not a positive integer, and forgets everything on clear()', () => {
    const faults = new FaultQueue()
    expect(() => faults.add({ path: '/a' }, { status: 500 }, 0)).toThrow(RangeError)
    expect(() => faults.add({ path: '/a' }, { status: 500 }, 1.5)).toThrow(RangeError)
    faults.add({ path: '/a' }, { status: 500 }, 3)
    faults.clear()
    expect(faults.take('GET', '/a')).toBeUndefined()
  })
})

describe('injectedFault', () => {
  it('answers null when nothing is queued for the call', async () => {
    expect(await injectedFault(new FaultQueue(), 'GET', '/a', never)).toBeNull()
  })

  it('answers JSON bodies as JSON, strings as text, and no body as an empty response, with the headers', async () => {
    const faults = new FaultQueue()
    faults.add({ path: '/json' }, { status: 400, body: { a: 1 }, headers: { 'x-a': '1' } }, 1)
    faults.add({ path: '/text' }, { status: 502, body: 'bad gateway' }, 1)
    faults.add({ path: '/none' }, { status: 429, headers: { 'retry-after': '2' } }, 1)
    const json = await injectedFault(faults, 'GET', '/json', never)
    expect([json?.status, json?.headers.get('content-type'), json?.headers.get('x-a')]).toEqual([
      400,
      'application/json;charset=UTF-8',
      '1',
    ])
    expect(await json?.json()).toEqual({ a: 1 })
    const text = await injectedFault(faults, 'GET', '/text', never)
    expect([text?.status, text?.headers.get('content-type'), await text?.text()]).toEqual([
      502,
      'text/plain;charset=UTF-8',
      'bad gateway',
    ])
    const none = await injectedFault(faults, 'GET', '/none', never)
    expect([none?.status, none?.headers.get('retry-after'), await none?.text()]).toEqual([429, '2', ''])
  })

  it('throws what fetch throws for a refused connection, and that error passes through', async () => {
    const faults = new FaultQueue()
    faults.add({ path: '/a' }, { networkError: true }, 1)
    const error: unknown = await injectedFault(faults, 'GET', '/a', never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toBe('fetch failed')
    expect(passesThrough(error, never)).toBe(true)
    expect(passesThrough(new Error('bug'), never)).toBe(false)
  })

  it('waits the delay, and rejects with the reason when the caller aborts meanwhile', async () => {
    const faults = new FaultQueue()
    faults.add({ path: '/a' }, { status: 200, delayMs: 60_000 }, 1)
    const caller = new AbortController()
    const answer = injectedFault(faults, 'GET', '/a', caller.signal)
    caller.abort(new Error('gave up'))
    await expect(answer).rejects.toThrow('gave up')
    expect(passesThrough(new Error('any'), caller.signal)).toBe(true)
  })
})

describe('both fakes', () => {
  it('take the same failNext scripts', async () => {
    const infobip = createInfobipFake()
    const rapidpro = createRapidproFake()
    for (const fake of [infobip, rapidpro]) {
      fake.failNext({ method: 'GET', path: /./ }, { status: 503, body: { down: true } })
      fake.failNext({ method: 'GET', path: /./ }, { networkError: true })
    }
    for (const [fake, url] of [
      [infobip, 'https://api.infobip.test/forms/1/forms'],
      [rapidpro, 'https://rapidpro.test/api/v2/fields.json'],
    ] as const) {
      const first = await fake.fetch(url)
      expect([first.status, await first.json()]).toEqual([503, { down: true }])
      await expect(fake.fetch(url)).rejects.toThrow('fetch failed')
    }
  })
})
