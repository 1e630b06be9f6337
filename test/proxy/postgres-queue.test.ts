// What only the shared PostgreSQL store promises (issue 10 items 2 and 4, issue 12 item 1): claims
// carry their owner, a dead owner's claims go to another instance within seconds, a clean stop hands
// them over at once, claims of concurrent instances never overlap, one claim fills a Moments batch
// with every instance's signups, concurrent adds share transactions, and instances starting
// together create the tables once. Clocks are injected; nothing sleeps.
import pg from 'pg'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { STALE_MS } from '../../proxy/delivery/postgres/owner'
import { PgDeliveryQueue } from '../../proxy/delivery/postgres/pg-queue'
import { toPersonData } from '../../proxy/signup/person'
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
  await sql('TRUNCATE flowform_deliveries, flowform_consents, flowform_owners RESTART IDENTITY')
})

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

async function instance(now: () => number): Promise<PgDeliveryQueue> {
  const queue = await PgDeliveryQueue.open(url, { now })
  opened.push(queue)
  return queue
}

function moments(i: number, campaignId = '200000000000001'): PlannedDelivery {
  return {
    target: 'flow',
    payload: {
      flow: { api: 'moments', campaignId },
      personData: toPersonData({ email: `p${i}@example.com` }, { email: 'email' }),
    },
  }
}
function formData(i: number): PlannedDelivery {
  return { target: 'form-data', payload: { infobipFormId: 'f1', data: { email: `p${i}@x.com` }, fieldIds: ['email'] } }
}

describe('PostgreSQL delivery queue', () => {
  it("takes over a dead owner's claims once it has stopped beating, not before", async () => {
    let t = 1_000_000
    const a = await instance(() => t)
    const b = await instance(() => t)
    await a.add('s1', 'news', [formData(1)])
    t += STALE_MS - 1
    await a.beat()
    t += STALE_MS - 1
    // a beat STALE_MS - 1 ago: alive.
    expect(await b.claimDue(10)).toEqual([])
    t += 2
    expect((await b.claimDue(10)).map((d) => d.submissionId)).toEqual(['s1'])
    const [row] = await sql<{ claimed_by: string }>('SELECT claimed_by FROM flowform_deliveries')
    expect(row?.claimed_by).toBe(b.ownerId)
  })

  it('a clean stop hands its claims over at once', async () => {
    const t = 1_000_000
    const a = await instance(() => t)
    const b = await instance(() => t)
    await a.add('s1', 'news', [formData(1), formData(2)], 0)
    expect(await a.claimDue(10)).toHaveLength(2)
    expect(await b.claimDue(10)).toEqual([])
    await a.close()
    opened.splice(opened.indexOf(a), 1)
    expect(await b.claimDue(10)).toHaveLength(2)
    expect(await sql('SELECT * FROM flowform_owners WHERE id = $1', [a.ownerId])).toEqual([])
  })

  it('claims of concurrent instances never overlap (FOR UPDATE SKIP LOCKED)', async () => {
    const t = 1_000_000
    const queues = await Promise.all([1, 2, 3].map(() => instance(() => t)))
    await Promise.all(Array.from({ length: 300 }, (_, i) => queues[i % 3]?.add(`s${i}`, 'news', [formData(i)], 0)))
    const claims = await Promise.all(queues.flatMap((q) => [q.claimDue(40), q.claimDue(40), q.claimDue(40)]))
    const ids = claims.flat().map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeGreaterThan(0)
    expect(ids.length).toBeLessThanOrEqual(300)
  })

  it("one claim fills a Moments batch with every instance's signups of that campaign, up to 1,000", async () => {
    const t = 1_000_000
    const a = await instance(() => t)
    const b = await instance(() => t)
    const c = await instance(() => t)
    await Promise.all(Array.from({ length: 1_200 }, (_, i) => (i % 2 ? a : b).add(`s${i}`, 'news', [moments(i)], 0)))
    await a.add('other', 'news', [moments(9_999, '200000000000002'), formData(1)], 0)
    const claimed = await c.claimDue(50)
    const campaign = (id: string) =>
      claimed.filter((d) => d.target === 'flow' && d.payload.flow.campaignId === id).length
    expect(campaign('200000000000001')).toBe(1_000)
    // The rest of the first campaign goes to the next claim, with the others.
    const next = await a.claimDue(50)
    expect(next.filter((d) => d.target === 'flow' && d.payload.flow.campaignId === '200000000000001')).toHaveLength(200)
    const last = await b.claimDue(50)
    expect(last.map((d) => d.submissionId)).toEqual(['other', 'other'])
    expect(new Set([...claimed, ...next, ...last].map((d) => d.id)).size).toBe(1_202)
  })

  it('concurrent adds share transactions (group commit), each submission whole and in order', async () => {
    const queue = await instance(Date.now)
    const added = await Promise.all(
      Array.from({ length: 200 }, (_, i) => queue.add(`s${i}`, 'news', [moments(i), formData(i)], 0)),
    )
    expect(
      added.every((ds, i) => ds.map((d) => [d.submissionId, d.target]).join() === `s${i},flow,s${i},form-data`),
    ).toBe(true)
    const [row] = await sql<{ rows: number; transactions: number }>(
      'SELECT COUNT(*)::int AS rows, COUNT(DISTINCT xmin::text)::int AS transactions FROM flowform_deliveries',
    )
    expect(row?.rows).toBe(400)
    expect(row?.transactions).toBeLessThanOrEqual(20)
  })

  it('instances starting together create the tables once (advisory lock)', async () => {
    const fresh = await freshDatabase()
    const queues = await Promise.all(Array.from({ length: 6 }, () => PgDeliveryQueue.open(fresh)))
    await Promise.all(queues.map((q) => q.close()))
    const client = new pg.Client({ connectionString: fresh })
    await client.connect()
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE tablename LIKE 'flowform_%'`,
    )
    await client.end()
    expect(rows.map((r) => r.tablename).sort()).toEqual([
      'flowform_consents',
      'flowform_deliveries',
      'flowform_limit_slots',
      'flowform_limits',
      'flowform_owners',
      'flowform_spent_challenges',
    ])
  })
})
