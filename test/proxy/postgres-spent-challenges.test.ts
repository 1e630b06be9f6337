// Many instances: a solved ALTCHA challenge opens one signup whichever instance it reaches (the
// shared table, delivery/postgres/spent-challenges.ts), as one instance's memory does alone.
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import pg from 'pg'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PgDeliveryQueue } from '../../proxy/delivery/postgres/pg-queue'
import { PgSpentChallenges } from '../../proxy/delivery/postgres/spent-challenges'
import { altchaKey, issueAltcha, verifyAltcha } from '../../proxy/signup/bots/altcha'
import { MemorySpentChallenges } from '../../proxy/signup/bots/spent-challenges'
import { freshDatabase } from '../helpers/postgres'

let url = ''
beforeAll(async () => {
  url = await freshDatabase()
})

const opened: PgDeliveryQueue[] = []
afterEach(async () => {
  for (const queue of opened.splice(0)) {
    await queue.close().catch(() => {})
  }
})

async function instance(): Promise<PgSpentChallenges> {
  const queue = await PgDeliveryQueue.open(url, {})
  opened.push(queue)
  return new PgSpentChallenges(queue.pool)
}

/** A real solved challenge's signature, as verifyAltcha returns it. */
async function solvedSignature(): Promise<string> {
  const key = altchaKey(Buffer.alloc(32, 7))
  const challenge = await issueAltcha(key, 'welcome', { cost: 1, nowMs: Date.now() })
  const solution = await solveChallenge({ challenge, deriveKey })
  const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
  return verifyAltcha(key, 'welcome', payload)
}

describe('spent ALTCHA challenges', () => {
  it('one instance alone: the first use opens, a replay does not', async () => {
    const memory = new MemorySpentChallenges()
    const signature = await solvedSignature()
    expect(await memory.spend(signature)).toBe(true)
    expect(await memory.spend(signature)).toBe(false)
  })

  it('PostgreSQL: a solution spent at one instance is refused at another, even when both race', async () => {
    const [a, b] = [await instance(), await instance()]
    const signature = await solvedSignature()
    const raced = await Promise.all([a.spend(signature), b.spend(signature), a.spend(signature)])
    expect(raced.filter(Boolean)).toHaveLength(1)
    expect(await b.spend(signature)).toBe(false)
    expect(await b.spend(await solvedSignature())).toBe(true)
  })

  it('PostgreSQL: forgets signatures whose challenges expired long ago, and only those', async () => {
    const spent = await instance()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(
        `INSERT INTO flowform_spent_challenges (signature, spent_at) VALUES ('old', clock_timestamp() - interval '2 hours')`,
      )
      expect(await spent.spend('new')).toBe(true)
      // The sweep runs beside the spend, not before its answer.
      await vi.waitFor(async () => {
        const left = await client.query<{ signature: string }>('SELECT signature FROM flowform_spent_challenges')
        const signatures = left.rows.map((row) => row.signature)
        expect(signatures).toContain('new')
        expect(signatures).not.toContain('old')
      })
    } finally {
      await client.end()
    }
  })
})
