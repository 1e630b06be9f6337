// The outbox methods behind the operator commands (npx flowform outbox …, erase), and what keeps
// a second process on the same file (the CLI next to the running server) safe.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryLogger } from '../../proxy/common/log'
import { concerns, identitiesOf } from '../../proxy/delivery/identities'
import { Outbox } from '../../proxy/delivery/outbox'
import type { DeliveryTarget, PlannedDelivery } from '../../proxy/delivery/payloads'
import { toPersonData } from '../../proxy/signup/person'
import { toRapidproContact } from '../../proxy/upstreams/rapidpro/contact'
import type { MomentsGateway } from '../../proxy/delivery/targets/moments'
import { createDeliverer } from '../../proxy/delivery/dispatch'
import { settle } from '../../proxy/delivery/settle'
import type { InfobipClient } from '../../proxy/upstreams/infobip/client'
import { tempDir } from '../helpers/temp-dir'

const open: Outbox[] = []
afterEach(() => {
  for (const outbox of open.splice(0)) {
    outbox.close()
  }
})

function file(): string {
  return join(tempDir('outbox-op'), 'outbox.db')
}

function outboxAt(path: string, now?: () => number): Outbox {
  const outbox = new Outbox(path, now ? { now } : {})
  open.push(outbox)
  return outbox
}

const PEOPLE = { email: 'email', phone: 'phone', firstName: 'firstName' }

/** Payloads as submit.ts stores them, built with the same functions. */
function flowPayload(values: Record<string, string>) {
  return { flow: { api: 'legacy' as const, campaignId: '10159347' }, personData: toPersonData(values, PEOPLE) }
}
function rapidproPayload(values: Record<string, string>) {
  return { contact: toRapidproContact(values, PEOPLE, { urns: ['mailto', 'tel', 'whatsapp'] }), decides: false }
}
function formDataPayload(data: Record<string, string>) {
  return { infobipFormId: 'f1', data, fieldIds: Object.keys(data) }
}
/** Some delivery of this target; whom it is for does not matter. */
function any(target: DeliveryTarget): PlannedDelivery {
  switch (target) {
    case 'flow':
      return { target, payload: flowPayload({ email: 'x@example.com' }) }
    case 'rapidpro':
      return { target, payload: rapidproPayload({ email: 'x@example.com' }) }
    case 'form-data':
      return { target, payload: formDataPayload({ email: 'x@example.com' }) }
  }
}

/** Adds deliveries and lets go of them, as a request that has settled would. */
function added(outbox: Outbox, submission: string, form: string, items: PlannedDelivery[]) {
  const deliveries = outbox.add(submission, form, items, 0)
  for (const d of deliveries) {
    outbox.release(d.id)
  }
  return deliveries
}

describe('two processes on one outbox file (the server and the operator CLI)', () => {
  it('the second instance sees the rows and its changes reach the first', () => {
    const path = file()
    const server = outboxAt(path)
    const cli = outboxAt(path)
    const [delivery] = added(server, 's1', 'welcome', [
      { target: 'flow', payload: flowPayload({ email: 'ann@example.com' }) },
    ])
    const id = delivery?.id ?? 0
    server.claimDue(10)
    server.fail(id, '40005 flow inactive')
    server.release(id)
    expect(cli.list({ status: 'failed' }).map((d) => d.id)).toEqual([id])
    expect(cli.retryFailed([id])).toEqual([id])
    const [claimed] = server.claimDue(10)
    expect(claimed).toMatchObject({
      id,
      status: 'pending',
      attempts: 0,
      state: {},
      operatorRetries: 1,
      lastError: '40005 flow inactive',
    })
  })

  it('a write waits for the other process to commit (WAL + busy_timeout) instead of failing', async () => {
    const path = file()
    const cli = outboxAt(path)
    const server = outboxAt(path)
    const [delivery] = added(server, 's1', 'welcome', [
      { target: 'flow', payload: flowPayload({ email: 'ann@example.com' }) },
    ])
    server.claimDue(10)
    server.fail(delivery?.id ?? 0, 'x')
    // Another OS process holds the write lock for 400 ms, as the server's worker might.
    const require = createRequire(import.meta.url)
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))})
      const db = new Database(${JSON.stringify(path)})
      db.exec('BEGIN IMMEDIATE')
      db.prepare("UPDATE deliveries SET last_error = 'held' WHERE id = 1").run()
      process.stdout.write('locked\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400)
      db.exec('COMMIT')
      db.close()`
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    // Without a busy timeout this would throw SQLITE_BUSY at once; with one it waits for the commit
    // and then writes on top of it (the child's last_error is kept). No clock is read: how long the
    // lock is left to hold when 'locked' arrives depends on the machine's load.
    expect(cli.retryAllFailed()).toBe(1)
    await new Promise((resolve) => child.once('exit', resolve))
    expect(server.get(delivery?.id ?? 0)).toMatchObject({ status: 'pending', lastError: 'held' })
  })

  it('an outcome that arrives after the operator stopped the delivery changes nothing, and is logged', async () => {
    const path = file()
    const server = outboxAt(path)
    const cli = outboxAt(path)
    const [delivery] = added(server, 's1', 'welcome', [
      { target: 'flow', payload: flowPayload({ email: 'ann@example.com' }) },
    ])
    const [claimed] = server.claimDue(10)
    expect(cli.rejectUnfinishedWhere(() => true, 'erased by operator')).toHaveLength(1)
    const memory = createMemoryLogger()
    for (const outcome of [
      { kind: 'done', status: 'enrolled' },
      { kind: 'awaiting', state: { operationId: 'op' } },
      { kind: 'retry', reason: 'busy' },
      { kind: 'failed', upstream: 'infobip', reason: 'x' },
    ] as const) {
      await settle(server, claimed ?? delivery!, outcome, memory.log)
    }
    expect(server.get(delivery?.id ?? 0)).toMatchObject({
      status: 'rejected',
      payload: null,
      lastError: 'erased by operator',
    })
    expect(memory.text().match(/settled after the operator stopped it/g)).toHaveLength(4)
    expect(memory.text()).not.toContain('ann@example.com')
  })

  it('opens an outbox written before operator_retries existed', () => {
    const path = file()
    const old = new Database(path)
    old.exec(`CREATE TABLE deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, submission_id TEXT NOT NULL, form_id TEXT NOT NULL,
      target TEXT NOT NULL, payload TEXT, state TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`)
    old
      .prepare(
        `INSERT INTO deliveries (submission_id, form_id, target, payload, state, status, next_attempt_at, created_at, updated_at)
      VALUES ('s', 'welcome', 'flow', '{}', '{}', 'failed', 0, 0, 0)`,
      )
      .run()
    old.close()
    const outbox = outboxAt(path)
    expect(outbox.get(1)).toMatchObject({ status: 'failed', operatorRetries: 0 })
    expect(outbox.retryFailed([1])).toEqual([1])
    expect(outboxAt(path).get(1)?.operatorRetries).toBe(1)
  })
})

describe('attempt counts', () => {
  it('count each send once: the one that delivered, the one that failed, not the polls in between', () => {
    const outbox = outboxAt(file())
    const [direct, polled, retried] = added(outbox, 's1', 'a', [any('flow'), any('rapidpro'), any('flow')])
    outbox.claimDue(10)
    outbox.complete(direct?.id ?? 0, 'enrolled')
    outbox.await(polled?.id ?? 0, { saved: undefined }, 0)
    outbox.await(polled?.id ?? 0, { saved: undefined }, 0)
    outbox.complete(polled?.id ?? 0, 'enrolled')
    outbox.retryLater(retried?.id ?? 0, 'timeout', 0)
    outbox.retryLater(retried?.id ?? 0, 'rate limited here', 0, false)
    outbox.complete(retried?.id ?? 0, 'enrolled')
    expect([direct, polled, retried].map((d) => outbox.get(d?.id ?? 0)?.attempts)).toEqual([1, 1, 2])
  })
})

describe('operator methods', () => {
  it('retries only failed deliveries, by id or all of a form', () => {
    const outbox = outboxAt(file())
    const ids = added(outbox, 's1', 'a', [any('flow'), any('rapidpro')]).map((d) => d.id)
    const [other] = added(outbox, 's2', 'b', [any('flow')]).map((d) => d.id)
    outbox.claimDue(10)
    outbox.complete(ids[1] ?? 0, 'enrolled')
    for (const id of [...ids, other ?? 0]) {
      outbox.fail(id, 'x')
    }
    // Settling applies only to what the worker holds: a finished delivery stays finished.
    expect(outbox.get(ids[1] ?? 0)?.status).toBe('done')
    expect(outbox.retryFailed([ids[1] ?? 0, 999])).toEqual([])
    expect(outbox.retryAllFailed('b')).toBe(1)
    expect(outbox.get(ids[0] ?? 0)?.status).toBe('failed')
    expect(outbox.retryAllFailed()).toBe(1)
    expect(outbox.count({ status: 'pending' })).toBe(2)
    expect(outbox.retryAllFailed()).toBe(0)
  })

  it('purges finished deliveries (done, rejected) by when they finished, never unfinished ones', () => {
    let now = Date.parse('2025-03-01T10:00:00Z')
    const outbox = outboxAt(file(), () => now)
    const targets = ['flow', 'rapidpro', 'form-data', 'flow'] as const
    const ids = added(outbox, 's1', 'a', targets.map(any)).map((d) => d.id)
    outbox.claimDue(10)
    outbox.complete(ids[0] ?? 0, 'enrolled')
    outbox.reject([ids[1] ?? 0], 'invalid values')
    outbox.fail(ids[2] ?? 0, 'x')
    now += 10 * 86_400_000
    outbox.complete(ids[3] ?? 0, 'enrolled')
    expect(outbox.purgeFinished(now - 7 * 86_400_000)).toBe(2)
    expect(outbox.list().map((d) => [d.id, d.status])).toEqual([
      [ids[2], 'failed'],
      [ids[3], 'done'],
    ])
  })

  it('tallies by target and status, finds the oldest, lists newest first with a limit', () => {
    let now = 1_000_000
    const outbox = outboxAt(file(), () => now)
    added(outbox, 's1', 'a', [any('flow')])
    now += 1_000
    added(outbox, 's2', 'a', [any('flow'), any('rapidpro')])
    expect(outbox.tally()).toEqual([
      { target: 'flow', status: 'pending', count: 2 },
      { target: 'rapidpro', status: 'pending', count: 1 },
    ])
    expect(outbox.oldest('pending')?.createdAt).toBe(1_000_000)
    expect(outbox.oldest('failed')).toBeUndefined()
    expect(outbox.list({ newestFirst: true, limit: 2 }).map((d) => d.id)).toEqual([3, 2])
    expect(outbox.count({ formId: 'a' })).toBe(3)
    expect(outbox.count({ formId: 'b' })).toBe(0)
  })

  it('an erasure stops the matching deliveries and every unfinished sibling of their submissions', () => {
    const outbox = outboxAt(file())
    // Ann's flow and form data (the form data names her by phone only), then Bo's.
    const ann = added(outbox, 's1', 'a', [
      { target: 'flow', payload: flowPayload({ email: 'ann@example.com' }) },
      { target: 'form-data', payload: formDataPayload({ phone: '41793026727' }) },
    ])
    const bo = added(outbox, 's2', 'a', [{ target: 'flow', payload: flowPayload({ email: 'bo@example.com' }) }])
    outbox.claimDue(10)
    outbox.await(ann[0]?.id ?? 0, { operationId: 'op' }, 0)
    outbox.fail(ann[1]?.id ?? 0, 'x')
    const stopped = outbox.rejectUnfinishedWhere(
      (d) => concerns(d, { email: 'ANN@example.com ' }),
      'erased by operator',
    )
    expect(stopped).toEqual([
      { id: ann[0]?.id, formId: 'a', target: 'flow', status: 'awaiting' },
      { id: ann[1]?.id, formId: 'a', target: 'form-data', status: 'failed' },
    ])
    for (const d of ann) {
      expect(outbox.get(d.id)).toMatchObject({ status: 'rejected', payload: null, lastError: 'erased by operator' })
    }
    expect(outbox.get(bo[0]?.id ?? 0)?.status).toBe('pending')
    // Finished rows are left alone: their data is gone already.
    expect(outbox.rejectUnfinishedWhere(() => true, 'again')).toHaveLength(1)
  })
})

describe('who a stored delivery is about', () => {
  const values = { email: ' Ann@Example.COM ', phone: '+41 79 302 67 27', firstName: 'Ann' }

  it('reads each target the way it is stored', () => {
    const both = { emails: ['ann@example.com'], phones: ['41793026727'] }
    expect(identitiesOf({ target: 'flow', payload: flowPayload(values) })).toEqual(both)
    expect(identitiesOf({ target: 'rapidpro', payload: rapidproPayload(values) })).toEqual(both)
    expect(
      identitiesOf({
        target: 'form-data',
        payload: formDataPayload({ email: 'ann@example.com', tel: '41793026727', born: '1990-01-02', size: '42' }),
      }),
    ).toEqual(both)
    expect(identitiesOf({ target: 'flow', payload: null })).toEqual({ emails: [], phones: [] })
  })

  it('matches emails in any case and phones as typed, with + or 00', () => {
    const stored: PlannedDelivery[] = [
      { target: 'flow', payload: flowPayload(values) },
      { target: 'rapidpro', payload: rapidproPayload(values) },
    ]
    for (const delivery of stored) {
      expect(concerns(delivery, { email: 'ANN@example.com' })).toBe(true)
      expect(concerns(delivery, { phone: '0041 79 302 67 27' })).toBe(true)
      expect(concerns(delivery, { phone: '+41793026727' })).toBe(true)
      expect(concerns(delivery, { email: 'an@example.com' })).toBe(false)
      expect(concerns(delivery, { phone: '41793026728' })).toBe(false)
      expect(concerns(delivery, {})).toBe(false)
    }
  })
})

describe('a delivery retried by the operator', () => {
  it('adds the person to Moments under a new key, not as a replay of the failed add', async () => {
    const keys: (string | undefined)[] = []
    const moments: MomentsGateway = {
      add: (_campaign, _participant, options) => {
        keys.push(options?.key)
        return Promise.resolve('op-1')
      },
      follow: () => Promise.resolve({ kind: 'pending' }),
    }
    const deliverer = createDeliverer({ infobip: {} as InfobipClient, moments })
    const delivery = {
      id: 7,
      submissionId: 's',
      formId: 'a',
      target: 'flow' as const,
      payload: {
        flow: { api: 'moments' as const, campaignId: '1' },
        personData: toPersonData({ email: 'a@example.com' }, PEOPLE),
      },
      state: {},
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      createdAt: 0,
      operatorRetries: 0,
    }
    await deliverer.deliver(delivery, { waitMs: 0 })
    await deliverer.deliver({ ...delivery, operatorRetries: 2 }, { waitMs: 0 })
    expect(keys).toEqual(['delivery:7', 'delivery:7:retry:2'])
  })
})
