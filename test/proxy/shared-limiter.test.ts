// One Infobip limit across instances (issue 10 item 3): each instance's SharedAccountLimiter
// reserves start slots in one PostgreSQL row, spaced on the database's clock, and a 429's pause is
// seen by all. The limiters' waits are recorded instead of slept: a call starts at the moment its
// wait was handed out plus the wait.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../proxy/delivery/postgres/schema'
import { LimiterBusyError } from '../../proxy/upstreams/infobip/account-limiter'
import { SharedAccountLimiter } from '../../proxy/upstreams/infobip/shared-limiter'
import { freshDatabase } from '../helpers/postgres'
import { maxInRollingWindow } from '../helpers/rate-window'

const pools: pg.Pool[] = []
let url = ''
beforeAll(async () => {
  url = await freshDatabase()
  const pool = new pg.Pool({ connectionString: url })
  await migrate(pool)
  await pool.end()
})
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()))
})

/** Three instances (three pools) on one account; `starts` collects when each call would start. */
function instances(account: string, starts: number[], maxQueueMs = 10_000): SharedAccountLimiter[] {
  return [1, 2, 3].map(() => {
    const pool = new pg.Pool({ connectionString: url, max: 4 })
    pools.push(pool)
    return new SharedAccountLimiter({
      pool,
      account,
      perSecond: 10,
      maxQueueMs,
      sleep: (ms) => {
        starts.push(Date.now() + ms)
        return Promise.resolve()
      },
    })
  })
}

describe('shared Infobip limiter (PostgreSQL)', () => {
  it('holds three instances together to 10 starts in any rolling second, in slots 105 ms apart', async () => {
    const starts: number[] = []
    const limiters = instances('acct-a', starts)
    await Promise.all(Array.from({ length: 45 }, (_, i) => limiters[i % 3]?.acquire()))
    expect(starts).toHaveLength(45)
    expect(maxInRollingWindow(starts, 1_000)).toBeLessThanOrEqual(10)
    const span = Math.max(...starts) - Math.min(...starts)
    expect(span).toBeGreaterThan(44 * 105 - 200)
  })

  it('refuses a call that would wait past maxQueueMs (LimiterBusyError), unless it is a retry after a 429', async () => {
    const starts: number[] = []
    const [a, b] = instances('acct-b', starts, 500)
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => a?.acquire()))
    const busy = results.filter((r) => r.status === 'rejected')
    expect(busy.length).toBeGreaterThanOrEqual(5)
    expect(busy.every((r) => r.status === 'rejected' && r.reason instanceof LimiterBusyError)).toBe(true)
    await expect(b?.acquire({ retry: true })).resolves.toBeTypeOf('function')
  })

  it("a 429's pause holds every instance", async () => {
    const starts: number[] = []
    const [a, b] = instances('acct-c', starts)
    a?.pause(3_000)
    await a?.acquire()
    const before = Date.now()
    await b?.acquire()
    expect(starts.length).toBe(2)
    expect((starts[1] ?? 0) - before).toBeGreaterThan(2_500)
  })
})
