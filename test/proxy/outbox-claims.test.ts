// Issue 12 item 1: the embedded store has one owner, so a starting server takes back at once
// whatever the previous process had claimed; and the queue side of the circuit breaker (skipping
// a down upstream's targets, waking them all when it answers again).
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { withoutOwnSync } from '../../proxy/delivery/bookkeeping-sync'
import { Outbox } from '../../proxy/delivery/outbox'
import { openDatabase } from '../../proxy/delivery/outbox-sql'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { tempDir } from '../helpers/temp-dir'

const open: Outbox[] = []
afterEach(() => {
  for (const outbox of open.splice(0)) {
    outbox.close()
  }
})

function outboxAt(file: string, now?: () => number): Outbox {
  const outbox = new Outbox(file, now ? { now } : {})
  open.push(outbox)
  return outbox
}

const legacy = (email: string): PlannedDelivery => ({
  target: 'flow',
  payload: { flow: { api: 'legacy', campaignId: '1' }, personData: { person: {}, email } },
})
const formData = (email: string): PlannedDelivery => ({
  target: 'form-data',
  payload: { infobipFormId: 'f', fieldIds: ['email'], data: { email } },
})

describe('releaseStaleClaims (a starting server is the only owner of its file)', () => {
  it('makes due now what the previous process had claimed or was sending, and nothing else', () => {
    const file = join(tempDir('claims'), 'outbox.db')
    let now = 1_000_000
    const before = outboxAt(file, () => now)
    // Sent by a request when the process died: leased for 30 s.
    const [inRequest] = before.add('s1', 'f', [legacy('a@x.ch')], 30_000)
    // Claimed by the worker (60 s lease) when the process died.
    const [byWorker] = before.add('s2', 'f', [legacy('b@x.ch')], 0)
    before.release(byWorker?.id ?? 0)
    now += 1
    const claimed = before.claimDue(10)
    // Settled before the crash: waits out its own backoff, as it should.
    const [backingOff] = before.add('s3', 'f', [legacy('c@x.ch')], 0)
    before.retryLater(backingOff?.id ?? 0, 'Infobip answered 503', now + 120_000)
    before.release(backingOff?.id ?? 0)
    expect(claimed.map((d) => d.target)).toEqual(['flow'])
    // kill -9: nothing is released or settled; the next process opens the same file.
    const after = outboxAt(file, () => now + 5)
    expect(after.claimDue(10)).toEqual([])
    expect(after.releaseStaleClaims()).toBe(2)
    const due = after.claimDue(10).map((d) => d.id)
    expect(due.sort()).toEqual([inRequest?.id, claimed[0]?.id].sort())
    expect(after.get(backingOff?.id ?? 0)?.nextAttemptAt).toBe(now + 120_000)
    // Claimed again by the new owner: not released a second time.
    expect(after.releaseStaleClaims()).toBe(0)
  })

  it('also takes back an awaiting delivery whose poll was out', () => {
    const file = join(tempDir('claims'), 'outbox.db')
    const before = outboxAt(file)
    const [delivery] = before.add('s', 'f', [legacy('a@x.ch')], 0)
    before.await(delivery?.id ?? 0, { operationId: 'op' }, Date.now() - 1)
    before.release(delivery?.id ?? 0)
    expect(before.claimDue(1)).toHaveLength(1)
    const after = outboxAt(file)
    expect(after.releaseStaleClaims()).toBe(1)
    expect(after.claimDue(5).map((d) => d.status)).toEqual(['awaiting'])
  })

  it('leaves rows alone that no process claimed (settled ones keep their backoff)', () => {
    const file = join(tempDir('claims'), 'outbox.db')
    const before = outboxAt(file)
    const [delivery] = before.add('s', 'f', [legacy('a@x.ch')], 0)
    before.claimDue(1)
    before.fail(delivery?.id ?? 0, 'flow inactive')
    expect(outboxAt(file).releaseStaleClaims()).toBe(0)
  })
})

describe("the worker's bookkeeping commits without a sync of its own", () => {
  it('settles outside and inside a larger transaction, and signups stay synchronous = FULL', () => {
    const outbox = outboxAt(join(tempDir('claims'), 'outbox.db'))
    const [a, b] = outbox.add('s', 'f', [legacy('a@x.ch'), legacy('b@x.ch')], 0)
    expect(outbox.complete(a?.id ?? 0, 'enrolled')).toBe(true)
    // Inside a transaction SQLite refuses to change the sync level: the outer commit syncs.
    outbox.atomically(() => {
      expect(outbox.retryLater(b?.id ?? 0, 'down', Date.now() + 1_000)).toBe(true)
    })
    const db = openDatabase(join(tempDir('claims'), 'other.db'))
    expect(withoutOwnSync(db, () => db.pragma('synchronous', { simple: true }))).toBe(1)
    expect(db.pragma('synchronous', { simple: true })).toBe(2)
    db.close()
    expect(outbox.get(a?.id ?? 0)?.status).toBe('done')
    expect(outbox.get(b?.id ?? 0)?.attempts).toBe(1)
  })
})

describe('claimDue skipTargets and wakeTargets (the queue side of the circuit breaker)', () => {
  it('does not claim the targets of a down upstream, and leaves them untouched', () => {
    const outbox = outboxAt(join(tempDir('claims'), 'outbox.db'))
    const added = [
      ...outbox.add('s', 'f', [legacy('a@x.ch'), formData('a@x.ch')], 0),
      ...outbox.add('r', 'f', [legacy('b@x.ch')], 0),
    ]
    for (const delivery of added) {
      outbox.release(delivery.id)
    }
    const claimed = outbox.claimDue(10, 60_000, { skipTargets: ['flow'] })
    expect(claimed.map((d) => d.target)).toEqual(['form-data'])
    expect(outbox.list({ target: 'flow' }).every((d) => d.nextAttemptAt <= Date.now())).toBe(true)
    expect(outbox.claimDue(10).map((d) => d.target)).toEqual(['flow', 'flow'])
  })

  it('makes every pending delivery of the targets due now, whatever its backoff, and nothing else', () => {
    let now = 5_000_000
    const outbox = outboxAt(join(tempDir('claims'), 'outbox.db'), () => now)
    const [a, b] = outbox.add('s', 'f', [legacy('a@x.ch'), formData('a@x.ch')], 0)
    const [c] = outbox.add('t', 'f', [legacy('c@x.ch')], 0)
    outbox.claimDue(10)
    outbox.retryLater(a?.id ?? 0, 'down', now + 600_000)
    outbox.retryLater(b?.id ?? 0, 'down', now + 600_000)
    outbox.await(c?.id ?? 0, { operationId: 'op' }, now + 5_000)
    for (const id of [a?.id, b?.id, c?.id]) {
      outbox.release(id ?? 0)
    }
    now += 1_000
    expect(outbox.wakeTargets([])).toBe(0)
    expect(outbox.wakeTargets(['flow'])).toBe(1)
    expect(outbox.get(a?.id ?? 0)?.nextAttemptAt).toBe(now)
    expect(outbox.get(b?.id ?? 0)?.nextAttemptAt).toBe(now - 1_000 + 600_000)
    // An awaiting delivery waits for its report, not for the upstream to come back.
    expect(outbox.get(c?.id ?? 0)?.nextAttemptAt).toBe(now - 1_000 + 5_000)
    expect(outbox.wakeTargets(['form-data', 'flow'])).toBe(1)
  })
})
