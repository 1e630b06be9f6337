// Issue 12 item 2: one circuit breaker per upstream account, opened by availability failures only,
// one probe at a time, a Retry-After honoured by the breaker, one log line per change of state.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryLogger } from '../../proxy/common/log'
import type { DeliveryOutcome } from '../../proxy/delivery/outcome'
import { type BreakerSnapshot, UpstreamHealth } from '../../proxy/delivery/upstream-health'

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

const DOWN: DeliveryOutcome = { kind: 'retry', reason: 'Infobip answered 503: POST /x', unavailable: true }
const UP: DeliveryOutcome = { kind: 'done', status: 'enrolled' }

function setup(options: ConstructorParameters<typeof UpstreamHealth>[1] = {}) {
  const memory = createMemoryLogger()
  const health = new UpstreamHealth(memory.log, { failures: 3, openMs: 1_000, maxOpenMs: 4_000, ...options })
  const changes: BreakerSnapshot[] = []
  health.onChange((s) => changes.push(s))
  let calls = 0
  const attempt = (outcome: DeliveryOutcome) => () => {
    calls++
    return Promise.resolve(outcome)
  }
  const breakerLines = () =>
    memory
      .text()
      .split('\n')
      .filter((l) => l.includes('"breaker"')).length
  return { health, changes, attempt, calls: () => calls, breakerLines }
}

describe('UpstreamHealth', () => {
  it('opens after consecutive availability failures, and then attempts nothing until a probe may go', async () => {
    const { health, attempt, calls, changes } = setup()
    for (let i = 0; i < 3; i++) {
      await health.run('flow', attempt(DOWN))
    }
    expect(health.state('infobip')).toBe('open')
    expect(changes.map((c) => `${c.upstream}:${c.state}`)).toEqual(['infobip:open'])
    const parked = await health.run('form-data', attempt(UP))
    expect(calls()).toBe(3)
    expect(parked).toMatchObject({ kind: 'retry', free: true, retryAfterSeconds: 1 })
    expect(health.blockedTargets()).toEqual(['form-data', 'flow'])
    // The other account is not concerned.
    expect(health.state('rapidpro')).toBe('closed')
    expect(await health.run('rapidpro', attempt(UP))).toEqual(UP)
  })

  it('never opens for refusals of a value or an operator problem (4xx), nor for our own hold-backs', async () => {
    const { health, attempt } = setup()
    const answers: DeliveryOutcome[] = [
      { kind: 'invalid', fields: { email: ['bad'] } },
      { kind: 'failed', upstream: 'infobip-flow', status: 400, upstreamCode: '40001', reason: 'malformed' },
      { kind: 'failed', upstream: 'infobip-flow', status: 401, reason: 'credentials' },
      { kind: 'retry', reason: 'limiter busy', free: true, retryAfterSeconds: 3 },
      { kind: 'retry', reason: 'a bug' },
    ]
    for (let i = 0; i < 20; i++) {
      for (const answer of answers) {
        expect(await health.run('flow', attempt(answer))).toEqual(answer)
      }
    }
    expect(health.state('infobip')).toBe('closed')
  })

  it('lets one probe through when the open period is over; the others wait for free meanwhile', async () => {
    const { health, attempt, calls, changes } = setup()
    for (let i = 0; i < 3; i++) {
      await health.run('flow', attempt(DOWN))
    }
    vi.advanceTimersByTime(1_000)
    expect(health.blockedTargets()).toEqual([])
    let answer!: (o: DeliveryOutcome) => void
    const probe = health.run('flow', () => new Promise<DeliveryOutcome>((resolve) => (answer = resolve)))
    expect(health.state('infobip')).toBe('half-open')
    const others = await Promise.all([health.run('flow', attempt(UP)), health.run('form-data', attempt(UP))])
    expect(others.every((o) => o.kind === 'retry' && o.free)).toBe(true)
    expect(calls()).toBe(3)
    answer(UP)
    expect(await probe).toEqual(UP)
    expect(changes.map((c) => c.state)).toEqual(['open', 'half-open', 'closed'])
    expect(await health.run('flow', attempt(UP))).toEqual(UP)
  })

  it('opens again for longer after a failed probe, up to its longest period', async () => {
    const { health, attempt, changes } = setup()
    for (let i = 0; i < 3; i++) {
      await health.run('flow', attempt(DOWN))
    }
    const periods: number[] = []
    for (let probe = 0; probe < 5; probe++) {
      const open = changes.at(-1)
      periods.push((open?.probeAt ?? 0) - (open?.since ?? 0))
      vi.advanceTimersByTime(periods.at(-1) ?? 0)
      await health.run('flow', attempt(DOWN))
    }
    expect(periods).toEqual([1_000, 2_000, 4_000, 4_000, 4_000])
  })

  it('honours a Retry-After itself: open at once and at least that long; the deliveries do not carry it', async () => {
    const { health, attempt, calls } = setup()
    const limited: DeliveryOutcome = { kind: 'retry', reason: '429', unavailable: true, retryAfterSeconds: 120 }
    expect(await health.run('flow', attempt(limited))).not.toHaveProperty('retryAfterSeconds')
    expect(health.state('infobip')).toBe('open')
    vi.advanceTimersByTime(119_000)
    expect(health.isBlocked('infobip')).toBe(true)
    expect(await health.run('flow', attempt(UP))).toMatchObject({ kind: 'retry', free: true, retryAfterSeconds: 1 })
    expect(calls()).toBe(1)
    vi.advanceTimersByTime(1_000)
    expect(health.isBlocked('infobip')).toBe(false)
    expect(health.probeReady()).toEqual(['infobip'])
    expect(await health.run('flow', attempt(UP))).toEqual(UP)
    expect(health.state('infobip')).toBe('closed')
  })

  it('logs one line per change of state, never one per failed or parked delivery', async () => {
    const { health, attempt, breakerLines } = setup()
    for (let i = 0; i < 50; i++) {
      await health.run('flow', attempt(DOWN))
    }
    expect(breakerLines()).toBe(1)
    vi.advanceTimersByTime(1_000)
    await health.run('flow', attempt(UP))
    // opened, half-open, closed
    expect(breakerLines()).toBe(3)
  })
})
