// One suite, both backends (issue 10 item 2): every DeliveryQueue method as the signup path, the
// worker and the operator's commands use it, against the embedded SQLite outbox and the shared
// PostgreSQL store. "Another process" is a second handle on the same file / database. Clocks are
// injected: nothing here sleeps.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ConsentEvidence } from '../../proxy/delivery/consent-store'
import { Outbox } from '../../proxy/delivery/outbox'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { PgDeliveryQueue } from '../../proxy/delivery/postgres/pg-queue'
import type { DeliveryQueue } from '../../proxy/delivery/queue'
import { toPersonData } from '../../proxy/signup/person'
import { freshDatabase } from '../helpers/postgres'
import { tempDir } from '../helpers/temp-dir'

interface Backend {
  /** A handle on a fresh store, with its own clock. */
  fresh(now: () => number): Promise<Handle>
}
interface Handle {
  queue: DeliveryQueue
  /** Another process on the same store. */
  another(now: () => number): Promise<DeliveryQueue>
  /** Writes a payload no version could have written. */
  corrupt(id: number): Promise<void>
}

const opened: DeliveryQueue[] = []
afterEach(async () => {
  for (const queue of opened.splice(0).reverse()) {
    await queue.close()
  }
})
function keep<Q extends DeliveryQueue>(queue: Q): Q {
  opened.push(queue)
  return queue
}

const sqlite: Backend = {
  fresh(now) {
    const file = join(tempDir('conformance'), 'outbox.db')
    return Promise.resolve({
      queue: keep(new Outbox(file, { now })),
      another: (later) => Promise.resolve(keep(new Outbox(file, { now: later }))),
      corrupt(id) {
        const db = new Database(file)
        db.prepare(`UPDATE deliveries SET payload = '{"nonsense":1}' WHERE id = ?`).run(id)
        db.close()
        return Promise.resolve()
      },
    })
  },
}

let databaseUrl = ''
const postgres: Backend = {
  async fresh(now) {
    // One database per file; each test starts from empty tables.
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    await client
      .query('TRUNCATE flowform_deliveries, flowform_consents, flowform_owners RESTART IDENTITY')
      .catch(() => {})
    await client.end()
    return {
      queue: keep(await PgDeliveryQueue.open(databaseUrl, { now })),
      another: async (later) => keep(await PgDeliveryQueue.open(databaseUrl, { now: later })),
      async corrupt(id) {
        const c = new pg.Client({ connectionString: databaseUrl })
        await c.connect()
        await c.query(`UPDATE flowform_deliveries SET payload = '{"nonsense":1}' WHERE id = $1`, [id])
        await c.end()
      },
    }
  },
}

beforeAll(async () => {
  databaseUrl = await freshDatabase()
})

const PEOPLE = { email: 'email', phone: 'phone', firstName: 'firstName' }
function moments(email: string, campaignId = '200000000000001'): PlannedDelivery {
  return {
    target: 'flow',
    payload: { flow: { api: 'moments', campaignId }, personData: toPersonData({ email }, PEOPLE) },
  }
}
function formData(email: string): PlannedDelivery {
  return { target: 'form-data', payload: { infobipFormId: 'f1', data: { email }, fieldIds: ['email'] } }
}
function consentOf(email: string, acceptedAt: number): ConsentEvidence {
  return {
    acceptedAt,
    locale: 'en',
    version: 'v1',
    page: null,
    texts: [{ field: 'c', text: 'Yes' }],
    email,
    phone: null,
  }
}

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
])('DeliveryQueue on %s', (_name, backend) => {
  let t = 1_000_000
  const now = () => t
  const open = async () => {
    t = 1_000_000
    return backend.fresh(now)
  }

  it('add: stores a submission and its consent at once, held by the request that adds it', async () => {
    const h = await open()
    const { queue } = h
    const [flow, form] = await queue.add(
      's1',
      'news',
      [moments('a@example.com'), formData('a@example.com')],
      30_000,
      consentOf('a@example.com', t),
    )
    expect(flow).toMatchObject({ submissionId: 's1', formId: 'news', target: 'flow', status: 'pending', attempts: 0 })
    expect(form?.target).toBe('form-data')
    expect((flow?.id ?? 0) < (form?.id ?? 0)).toBe(true)
    expect(await queue.get(flow?.id ?? 0)).toMatchObject({
      target: 'flow',
      status: 'pending',
      payload: moments('a@example.com').payload,
    })
    expect(await queue.consents.of({ email: 'A@example.com' })).toMatchObject([
      { submissionId: 's1', formId: 'news', locale: 'en' },
    ])
    // Held: neither this process's worker nor another process takes them.
    expect(await queue.claimDue(10)).toEqual([])
    expect(await (await h.another(now)).claimDue(10)).toEqual([])
  })

  it('add with leaseMs 0: held by nobody, due at once for any worker', async () => {
    const h = await open()
    await h.queue.add('s1', 'news', [formData('a@example.com')], 0)
    const other = await h.another(now)
    expect((await other.claimDue(10)).map((d) => d.submissionId)).toEqual(['s1'])
  })

  it('release: a released delivery that was not settled is due again once its lease has passed', async () => {
    const { queue } = await open()
    const [d] = await queue.add('s1', 'news', [formData('a@example.com')])
    await queue.release(d?.id ?? 0)
    t += 30_001
    expect((await queue.claimDue(10)).map((x) => x.id)).toEqual([d?.id])
  })

  it('claimDue: oldest first, up to the limit, never twice while held, not by another process', async () => {
    const h = await open()
    for (const i of [1, 2, 3]) {
      await h.queue.add(`s${i}`, 'news', [formData(`${i}@example.com`)], 0)
      t += 10
    }
    const first = await h.queue.claimDue(2)
    expect(first.map((d) => d.submissionId)).toEqual(['s1', 's2'])
    const other = await h.another(now)
    expect((await other.claimDue(10)).map((d) => d.submissionId)).toEqual(['s3'])
    expect(await h.queue.claimDue(10)).toEqual([])
    // Settled and released: the claim is over, and a retry is due when it says.
    await h.queue.retryLater(first[0]?.id ?? 0, 'timeout', t + 4_000)
    await h.queue.release(first[0]?.id ?? 0)
    expect(await other.claimDue(10)).toEqual([])
    t += 4_000
    expect((await other.claimDue(10)).map((d) => d.submissionId)).toEqual(['s1'])
  })

  it('claimDue: a process that stopped (no release) loses its claims to another within a minute', async () => {
    const h = await open()
    await h.queue.add('s1', 'news', [formData('a@example.com')], 0)
    expect(await h.queue.claimDue(10)).toHaveLength(1)
    const other = await h.another(() => t + 61_000)
    expect((await other.claimDue(10)).map((d) => d.submissionId)).toEqual(['s1'])
  })

  it('claimDue: a row that does not parse is failed for the operator, the rest go on', async () => {
    const h = await open()
    const [bad] = await h.queue.add('s1', 'news', [formData('a@example.com')], 0)
    await h.queue.add('s2', 'news', [formData('b@example.com')], 0)
    await h.corrupt(bad?.id ?? 0)
    expect((await h.queue.claimDue(10)).map((d) => d.submissionId)).toEqual(['s2'])
    expect(await h.queue.get(bad?.id ?? 0)).toMatchObject({ status: 'failed', attempts: 1 })
  })

  it('complete, await, retryLater, fail: settle only what the worker still holds', async () => {
    const { queue } = await open()
    const [a, b, c, d] = await queue.add('s1', 'news', [
      formData('a@x.com'),
      moments('b@x.com'),
      formData('c@x.com'),
      formData('d@x.com'),
    ])
    const id = (x: typeof a) => x?.id ?? 0
    expect(await queue.complete(id(a), 'enrolled')).toBe(true)
    expect(await queue.get(id(a))).toMatchObject({
      status: 'done',
      attempts: 1,
      payload: null,
    })
    expect(await queue.complete(id(a), 'enrolled')).toBe(false)
    expect(await queue.await(id(b), { operationId: 'op-1', addedAt: t }, t + 60_000)).toBe(true)
    expect(await queue.get(id(b))).toMatchObject({
      status: 'awaiting',
      attempts: 0,
      nextAttemptAt: t + 60_000,
      state: { operationId: 'op-1' },
    })
    expect(await queue.retryLater(id(c), 'busy', t + 1_000, false)).toBe(true)
    expect(await queue.retryLater(id(c), 'HTTP 503', t + 2_000)).toBe(true)
    expect(await queue.get(id(c))).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503',
      nextAttemptAt: t + 2_000,
    })
    expect(await queue.fail(id(d), 'HTTP 400')).toBe(true)
    expect(await queue.get(id(d))).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 400' })
    expect(await queue.fail(id(d), 'again')).toBe(false)
  })

  it('takes the fractional times a jittered backoff computes (whole milliseconds or not)', async () => {
    const { queue } = await open()
    const [a, b] = await queue.add('s1', 'news', [formData('a@x.com'), moments('b@x.com')])
    expect(await queue.retryLater(a?.id ?? 0, 'HTTP 503', t + 1_234.567)).toBe(true)
    expect(await queue.await(b?.id ?? 0, { operationId: 'op-1', addedAt: t }, t + 60_000.25)).toBe(true)
    const due = (await queue.get(a?.id ?? 0))?.nextAttemptAt ?? 0
    expect(due).toBeGreaterThanOrEqual(t + 1_234)
    expect(due).toBeLessThanOrEqual(t + 1_235)
  })

  it('wakeAwaiting: the deliveries awaiting one operation are due now, whichever process asks', async () => {
    const h = await open()
    const [a, b, c] = await h.queue.add('s1', 'news', [moments('a@x.com'), moments('b@x.com'), moments('c@x.com')])
    await h.queue.await(a?.id ?? 0, { operationId: 'op-1', addedAt: t }, t + 60_000)
    await h.queue.await(b?.id ?? 0, { operationId: 'op-1', addedAt: t }, t + 60_000)
    await h.queue.await(c?.id ?? 0, { operationId: 'op-2', addedAt: t }, t + 60_000)
    for (const d of [a, b, c]) {
      await h.queue.release(d?.id ?? 0)
    }
    const other = await h.another(now)
    expect(await other.wakeAwaiting('op-1')).toBe(2)
    expect(await other.wakeAwaiting('op-1')).toBe(0)
    t += 30_001
    expect((await h.queue.claimDue(10)).map((d) => d.id).sort()).toEqual([a?.id, b?.id].sort())
  })

  it('reject and rejectUnfinished: void attempts, their data dropped; only pending ones of the submission', async () => {
    const { queue } = await open()
    const [a, b] = await queue.add('s1', 'news', [formData('a@x.com'), moments('a@x.com')])
    const [c] = await queue.add('s2', 'news', [formData('c@x.com')])
    expect(await queue.reject([a?.id ?? 0], 'invalid values')).toBe(1)
    expect(await queue.get(a?.id ?? 0)).toMatchObject({
      status: 'rejected',
      payload: null,
      lastError: 'invalid values',
    })
    expect(await queue.rejectUnfinished('s1', 'values refused upstream')).toBe(1)
    expect(await queue.get(b?.id ?? 0)).toMatchObject({ status: 'rejected', payload: null })
    expect(await queue.get(c?.id ?? 0)).toMatchObject({ status: 'pending' })
  })

  it("the operator's view: list, count, counts, tally, oldest", async () => {
    const { queue } = await open()
    const [a] = await queue.add('s1', 'news', [formData('a@x.com')])
    t += 1
    const [b] = await queue.add('s2', 'other', [moments('b@x.com')])
    t += 1
    await queue.add('s3', 'news', [formData('c@x.com')])
    await queue.fail(b?.id ?? 0, 'HTTP 400')
    expect((await queue.list()).map((d) => d.submissionId)).toEqual(['s1', 's2', 's3'])
    expect((await queue.list({ newestFirst: true, limit: 2 })).map((d) => d.submissionId)).toEqual(['s3', 's2'])
    expect((await queue.list({ status: 'pending', formId: 'news' })).map((d) => d.submissionId)).toEqual(['s1', 's3'])
    expect(await queue.count()).toBe(3)
    expect(await queue.count({ status: 'failed' })).toBe(1)
    expect(await queue.count({ formId: 'news' })).toBe(2)
    expect(await queue.counts()).toEqual({ pending: 2, awaiting: 0, done: 0, failed: 1, rejected: 0 })
    expect(await queue.tally()).toEqual([
      { target: 'flow', status: 'failed', count: 1 },
      { target: 'form-data', status: 'pending', count: 2 },
    ])
    expect((await queue.oldest('pending'))?.id).toBe(a?.id)
    expect(await queue.oldest('done')).toBeUndefined()
  })

  it('retryFailed, retryAllFailed and purgeFinished', async () => {
    const { queue } = await open()
    const ds = await queue.add('s1', 'news', [formData('a@x.com'), formData('b@x.com'), formData('c@x.com')])
    const [a, b, c] = ds.map((d) => d.id)
    await queue.fail(a ?? 0, 'x')
    await queue.fail(b ?? 0, 'y')
    await queue.complete(c ?? 0, 'enrolled')
    expect(await queue.retryFailed([a ?? 0, c ?? 0, 999_999])).toEqual([a])
    expect(await queue.get(a ?? 0)).toMatchObject({
      status: 'pending',
      attempts: 0,
      operatorRetries: 1,
      nextAttemptAt: t,
    })
    expect(await queue.retryAllFailed('other')).toBe(0)
    expect(await queue.retryAllFailed('news')).toBe(1)
    expect(await queue.purgeFinished(t)).toBe(0)
    expect(await queue.purgeFinished(t + 1)).toBe(1)
    expect(await queue.get(c ?? 0)).toBeUndefined()
  })

  it('rejectUnfinishedWhere: stops what concerns the person and the rest of their submissions', async () => {
    const { queue } = await open()
    const [a, b] = await queue.add('s1', 'news', [formData('ann@x.com'), moments('ann@x.com')])
    const [c] = await queue.add('s2', 'news', [formData('bob@x.com')])
    await queue.await(b?.id ?? 0, { operationId: 'op', addedAt: t }, t + 1)
    const stopped = await queue.rejectUnfinishedWhere(
      (d) => d.submissionId === 's1' && d.target === 'form-data',
      'erased',
    )
    expect(stopped).toEqual([
      { id: a?.id, formId: 'news', target: 'form-data', status: 'pending' },
      { id: b?.id, formId: 'news', target: 'flow', status: 'awaiting' },
    ])
    expect(await queue.get(b?.id ?? 0)).toMatchObject({ status: 'rejected', payload: null, lastError: 'erased' })
    expect(await queue.get(c?.id ?? 0)).toMatchObject({ status: 'pending' })
    expect(await queue.complete(a?.id ?? 0, 'enrolled')).toBe(false)
  })

  it('consents: of, erase, purge by form retention, count', async () => {
    const { queue } = await open()
    const DAY = 86_400_000
    await queue.add('s1', 'news', [], 0, consentOf('a@x.com', 0))
    await queue.add('s2', 'other', [], 0, consentOf('b@x.com', 0))
    await queue.add('s3', 'news', [], 0, consentOf('a@x.com', 20 * DAY))
    expect(await queue.consents.count()).toBe(3)
    expect((await queue.consents.of({ email: 'a@x.com' })).map((r) => r.submissionId)).toEqual(['s1', 's3'])
    expect(await queue.consents.purge({ byForm: { news: 30 }, defaultDays: 40 }, 31 * DAY)).toBe(1)
    expect(await queue.consents.purge({ byForm: { news: 30 }, defaultDays: 40 }, 41 * DAY)).toBe(1)
    expect(await queue.consents.erase({ email: 'A@X.com' })).toBe(1)
    expect(await queue.consents.count()).toBe(0)
  })
})
