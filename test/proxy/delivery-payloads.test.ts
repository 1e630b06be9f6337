// Rows are parsed when they are read from the outbox: a row that does not parse is failed for the
// operator with a reason, and the worker goes on with the rest.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { Outbox } from '../../proxy/delivery/outbox'
import { parseDelivery, type PlannedDelivery, type StoredColumns } from '../../proxy/delivery/payloads'
import { startOutboxWorker } from '../../proxy/delivery/worker'
import type { Deliverer } from '../../proxy/delivery/dispatch'
import { createMemoryLogger } from '../../proxy/common/log'

const FLOW: PlannedDelivery = {
  target: 'flow',
  payload: { flow: { api: 'moments', campaignId: '1' }, personData: { person: {}, email: 'a@example.com' } },
}

function columns(overrides: Partial<StoredColumns>): StoredColumns {
  const fields = { id: 1, submissionId: 's', formId: 'f', status: 'pending' as const, attempts: 0 }
  return {
    ...fields,
    nextAttemptAt: 0,
    lastError: null,
    createdAt: 0,
    operatorRetries: 0,
    target: 'flow',
    payload: FLOW.payload,
    state: {},
    ...overrides,
  }
}

describe('parseDelivery', () => {
  it('types the payload and state by the target', () => {
    const parsed = parseDelivery(columns({ state: { operationId: 'op', addedAt: 5 } }))
    expect(parsed.ok).toBe(true)
    if (parsed.ok && parsed.delivery.target === 'flow') {
      expect(parsed.delivery.payload.personData.email).toBe('a@example.com')
      expect(parsed.delivery.state).toEqual({ operationId: 'op', addedAt: 5 })
    }
  })

  it('names what is wrong, never the data', () => {
    const parsed = parseDelivery(columns({ payload: { flow: { api: 'moments' }, personData: 'ann@example.com' } }))
    expect(parsed).toEqual({ ok: false, reason: expect.stringContaining('unreadable flow payload') })
    expect(JSON.stringify(parsed)).not.toContain('ann@example.com')
    expect(parseDelivery(columns({ target: 'fax' }))).toEqual({
      ok: false,
      reason: 'unreadable delivery: unknown target "fax"',
    })
  })

  it('restarts from scratch when only the state is unreadable', () => {
    const parsed = parseDelivery(columns({ state: { operationId: 42 } }))
    expect(parsed.ok && parsed.delivery.state).toEqual({})
  })
})

describe('a corrupt row in the outbox', () => {
  const open: Outbox[] = []
  const dirs: string[] = []
  afterEach(() => {
    for (const outbox of open.splice(0)) {
      outbox.close()
    }
    for (const dir of dirs.splice(0)) {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is failed for the operator, and the worker delivers the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowform-payloads-'))
    dirs.push(dir)
    const path = join(dir, 'outbox.db')
    const outbox = new Outbox(path)
    open.push(outbox)
    const [good] = outbox.add('s1', 'f', [FLOW], 0)
    outbox.release(good?.id ?? 0)
    const db = new Database(path)
    db.prepare(
      `INSERT INTO deliveries (submission_id, form_id, target, payload, state, status, next_attempt_at, created_at, updated_at)
       VALUES ('s2', 'f', 'flow', '{not json', '{}', 'pending', 0, 0, 0), ('s3', 'f', 'form-data', '{"data":1}', '{}', 'pending', 0, 0, 0)`,
    ).run()
    db.close()
    const delivered: number[] = []
    const deliverer: Deliverer = {
      deliver: (delivery) => {
        delivered.push(delivery.id)
        return Promise.resolve({ kind: 'done', status: 'enrolled' })
      },
    }
    const worker = startOutboxWorker({ outbox, deliverer, log: createMemoryLogger().log, autoStart: false })
    expect(await worker.runOnce()).toBe(1)
    await worker.stop()
    expect(delivered).toEqual([good?.id])
    expect(outbox.counts()).toMatchObject({ done: 1, failed: 2, pending: 0 })
    const failed = outbox.list({ status: 'failed' })
    expect(failed.map((d) => d.lastError)).toEqual([
      expect.stringMatching(/^unreadable flow payload \(\(root\)\)/),
      expect.stringMatching(/^unreadable form-data payload \(.*data/),
    ])
    // The operator still sees the row, without data.
    expect(failed.map((d) => d.payload)).toEqual([null, null])
  })
})
