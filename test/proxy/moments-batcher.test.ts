import { afterEach, describe, expect, it, vi } from 'vitest'
import { outcomeFromError } from '../../proxy/delivery/from-error'
import { DEFAULTS } from '../../proxy/config/defaults'
import { enrolMoments, identityKey, type MomentsGateway } from '../../proxy/delivery/targets/moments'
import { MomentsBatcher } from '../../proxy/upstreams/infobip/moments-batcher'
import { BatchSplitError, namedParticipant } from '../../proxy/upstreams/infobip/moments-send'
import { DAY_MS, MomentsReportTracker } from '../../proxy/upstreams/infobip/moments-tracker'
import type { PersonData } from '../../proxy/signup/person'
import { InfobipHttpError } from '../../proxy/upstreams/infobip/errors'
import type { MomentsParticipant, ParticipantsReport } from '../../proxy/upstreams/infobip/types'

const CAMPAIGN = '200000000000001'

const person = (email: string, extra: Partial<MomentsParticipant> = {}): MomentsParticipant => ({
  identifyBy: { identifier: email, type: 'EMAIL' },
  person: { contactInformation: { email: [{ address: email }] } },
  ...extra,
})

type AddBody = { participants: MomentsParticipant[]; notifyUrl?: string }

/** A stand-in for the Infobip client that records add calls and answers them as told. */
function stubClient(answer: (body: AddBody, call: number) => Promise<string> | string = (_b, call) => `op-${call}`) {
  const calls: AddBody[] = []
  const reports: string[] = []
  return {
    calls,
    reports,
    addMomentsParticipants: vi.fn(async (_campaignId: string, body: AddBody) => {
      calls.push(structuredClone(body))
      return answer(body, calls.length)
    }),
    getMomentsReport: vi.fn(async (_campaignId: string, operationId: string): Promise<ParticipantsReport> => {
      reports.push(operationId)
      return { operationId, participants: [] }
    }),
  }
}

const emails = (body: AddBody | undefined) => body?.participants.map((p) => p.identifyBy.identifier)
const badRequest = (message: string) => new InfobipHttpError('POST', '/moments', 400, '400', message, undefined)

afterEach(() => {
  vi.useRealTimers()
})

describe('Moments batcher', () => {
  it('coalesces 2,500 participants into calls of at most 1,000, each caller told its own call', async () => {
    const client = stubClient()
    const batcher = new MomentsBatcher({ client, windowMs: 50 })
    const ids = await Promise.all(
      Array.from({ length: 2_500 }, (_, i) => batcher.add(CAMPAIGN, person(`p${i}@example.com`))),
    )
    expect(client.calls.map((c) => c.participants.length)).toEqual([1_000, 1_000, 500])
    expect(ids.slice(0, 1_000).every((id) => id === 'op-1')).toBe(true)
    expect(ids[1_000]).toBe('op-2')
    expect(ids[2_499]).toBe('op-3')
    await batcher.close()
  })

  it('waits windowMs for company, then sends one call per campaign', async () => {
    vi.useFakeTimers({ now: 0 })
    const client = stubClient()
    const batcher = new MomentsBatcher({ client, windowMs: 200 })
    const a = batcher.add('1', person('a@example.com'))
    const b = batcher.add('2', person('b@example.com'))
    const c = batcher.add('1', person('c@example.com'))
    await vi.advanceTimersByTimeAsync(199)
    expect(client.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(await Promise.all([a, b, c])).toEqual(['op-1', 'op-2', 'op-1'])
    expect(client.calls.map(emails)).toEqual([['a@example.com', 'c@example.com'], ['b@example.com']])
  })

  it('never puts two participants Infobip would merge into one call', async () => {
    const client = stubClient()
    const batcher = new MomentsBatcher({ client, windowMs: 20 })
    const byPhone = (email: string, phone: string) =>
      person(email, { person: { contactInformation: { email: [{ address: email }], phone: [{ number: phone }] } } })
    await Promise.all([
      batcher.add(CAMPAIGN, person('ana@example.com')),
      batcher.add(CAMPAIGN, person('bo@example.com')),
      batcher.add(CAMPAIGN, person('ANA@example.com ')),
      batcher.add(CAMPAIGN, person('ana@example.com')),
      batcher.add(CAMPAIGN, byPhone('cy@example.com', '385911234567')),
      batcher.add(CAMPAIGN, byPhone('di@example.com', '385911234567')),
      batcher.add(CAMPAIGN, person('ed@example.com', { person: { externalId: 'x1' } })),
      batcher.add(CAMPAIGN, person('fi@example.com', { person: { externalId: 'x1' } })),
    ])
    expect(client.calls.map(emails)).toEqual([
      ['ana@example.com', 'bo@example.com', 'cy@example.com', 'ed@example.com'],
      ['ANA@example.com ', 'di@example.com', 'fi@example.com'],
      ['ana@example.com'],
    ])
    await batcher.close()
  })

  it('treats one phone number written two ways as the same person (contract/identity.ts)', async () => {
    const client = stubClient()
    const batcher = new MomentsBatcher({ client, windowMs: 20 })
    const byPhone = (phone: string): MomentsParticipant => ({ identifyBy: { identifier: phone, type: 'PHONE' } })
    await Promise.all([
      batcher.add(CAMPAIGN, byPhone('+385 91 123 4567')),
      batcher.add(CAMPAIGN, byPhone('00385911234567')),
    ])
    expect(client.calls.map(emails)).toEqual([['+385 91 123 4567'], ['00385911234567']])
    expect(identityKey({ type: 'PHONE', identifier: '0041 79 302 67 27' })).toBe('PHONE:41793026727')
    expect(identityKey({ type: 'EMAIL', identifier: ' Ana@Example.com ' })).toBe('EMAIL:ana@example.com')
    await batcher.close()
  })

  it('waits the default window of config/defaults.ts when none is given', async () => {
    vi.useFakeTimers({ now: 0 })
    const client = stubClient()
    const batcher = new MomentsBatcher({ client })
    const added = batcher.add(CAMPAIGN, person('a@example.com'))
    await vi.advanceTimersByTimeAsync(DEFAULTS.momentsBatchWindowMs - 1)
    expect(client.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(await added).toBe('op-1')
  })

  it('sends notifyUrl with every call', async () => {
    const client = stubClient()
    const batcher = new MomentsBatcher({
      client,
      windowMs: 10,
      notifyUrl: 'https://signup.example.com/v1/hooks/moments-report?secret=s',
    })
    await batcher.add(CAMPAIGN, person('a@example.com'))
    expect(client.calls[0]?.notifyUrl).toBe('https://signup.example.com/v1/hooks/moments-report?secret=s')
    await batcher.close()
  })

  it('rejects every caller of a failed call with the same error (a retry for the outbox)', async () => {
    const failure = new InfobipHttpError('POST', '/moments', 503, undefined, undefined, 2)
    const batcher = new MomentsBatcher({ client: stubClient(() => Promise.reject(failure)), windowMs: 10 })
    const results = await Promise.allSettled([
      batcher.add(CAMPAIGN, person('a@example.com')),
      batcher.add(CAMPAIGN, person('b@example.com')),
    ])
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ])
    expect(outcomeFromError('infobip-moments', failure)).toMatchObject({ kind: 'retry', retryAfterSeconds: 2 })
    await batcher.close()
  })

  it('refuses only the participant a 400 names and sends the others again', async () => {
    const client = stubClient((body, call) => {
      const bad = body.participants.findIndex((p) => p.identifyBy.identifier.startsWith('bad'))
      if (bad >= 0) {
        throw badRequest(`Field participants.[${bad}].person.firstName size must be between 0 and 255`)
      }
      return `op-${call}`
    })
    const batcher = new MomentsBatcher({ client, windowMs: 10 })
    const results = await Promise.allSettled(
      ['a', 'bad1', 'b', 'bad2', 'c'].map((name) => batcher.add(CAMPAIGN, person(`${name}@example.com`))),
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'])
    expect(client.calls.map((c) => c.participants.length)).toEqual([5, 4, 3])
    const refused = (results[1] as PromiseRejectedResult).reason as InfobipHttpError
    // Alone, it fails for the operator (kept with its data), not retried forever.
    expect(outcomeFromError('infobip-moments', refused)).toMatchObject({ kind: 'failed', status: 400 })
    await batcher.close()
  })

  it('halves a batch refused without naming anyone until the bad participant is alone', async () => {
    const client = stubClient((body, call) => {
      if (body.participants.some((p) => p.identifyBy.identifier === 'p37@example.com')) {
        throw badRequest('Failed to read request')
      }
      return `op-${call}`
    })
    const batcher = new MomentsBatcher({ client, windowMs: 10 })
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => batcher.add(CAMPAIGN, person(`p${i}@example.com`))),
    )
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(results[37]?.status).toBe('rejected')
    // log2(100) levels, two calls each: bounded, not one call per participant.
    expect(client.calls.length).toBeLessThanOrEqual(16)
    await batcher.close()
  })

  it('stops splitting when its budget is spent: the rest retry later instead of failing', async () => {
    const client = stubClient(() => {
      throw badRequest('Failed to read request')
    })
    const batcher = new MomentsBatcher({ client, windowMs: 10, splitBudget: 3 })
    const results = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) => batcher.add(CAMPAIGN, person(`p${i}@example.com`))),
    )
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason as unknown)
    expect(reasons.every((r) => r instanceof BatchSplitError)).toBe(true)
    expect(outcomeFromError('infobip-moments', reasons[0])).toMatchObject({ kind: 'retry' })
    expect(client.calls.length).toBe(7)
    await batcher.close()
  })

  it('answers a retry of the same delivery from its add under way, and sends again only after a failure', async () => {
    let fail = false
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const client = stubClient(async (_body, call) => {
      await gate
      if (fail) {
        throw new InfobipHttpError('POST', '/moments', 500, undefined, undefined, undefined)
      }
      return `op-${call}`
    })
    const batcher = new MomentsBatcher({ client, windowMs: 10 })
    const first = batcher.add(CAMPAIGN, person('a@example.com'), { key: 'delivery:1' })
    const again = batcher.add(CAMPAIGN, person('a@example.com'), { key: 'delivery:1' })
    release()
    expect(await Promise.all([first, again])).toEqual(['op-1', 'op-1'])
    expect(await batcher.add(CAMPAIGN, person('a@example.com'), { key: 'delivery:1' })).toBe('op-1')
    expect(client.calls).toHaveLength(1)
    fail = true
    await expect(batcher.add(CAMPAIGN, person('b@example.com'), { key: 'delivery:2' })).rejects.toThrow()
    fail = false
    expect(await batcher.add(CAMPAIGN, person('b@example.com'), { key: 'delivery:2' })).toBe('op-3')
    await batcher.close()
  })

  it('keeps filling a due batch while the campaign has calls under way', async () => {
    const answers: ((id: string) => void)[] = []
    const client = stubClient(() => new Promise<string>((resolve) => answers.push(resolve)))
    vi.useFakeTimers({ now: 0 })
    const batcher = new MomentsBatcher({ client, windowMs: 10, maxInFlight: 1 })
    const first = batcher.add(CAMPAIGN, person('a@example.com'))
    await vi.advanceTimersByTimeAsync(10)
    expect(client.calls).toHaveLength(1)
    const later = [batcher.add(CAMPAIGN, person('b@example.com'))]
    await vi.advanceTimersByTimeAsync(50)
    later.push(batcher.add(CAMPAIGN, person('c@example.com')))
    // Five windows pass while the first call is under way: the batch is due but waits, and fills.
    await vi.advanceTimersByTimeAsync(50)
    expect(client.calls).toHaveLength(1)
    answers[0]?.('op-a')
    await vi.advanceTimersByTimeAsync(0)
    expect(client.calls).toHaveLength(2)
    answers[1]?.('op-b')
    expect(await Promise.all([first, ...later])).toEqual(['op-a', 'op-b', 'op-b'])
    expect(emails(client.calls[1])).toEqual(['b@example.com', 'c@example.com'])
    await batcher.close()
  })

  it('reads the index out of Infobip validation messages', () => {
    expect(namedParticipant('Field participants.[12].identifyBy.type must not be null or unsupported value', 20)).toBe(
      12,
    )
    expect(namedParticipant('Field participants.[12].identifyBy.type must not be null', 5)).toBeUndefined()
    expect(namedParticipant('Mandatory fields are absent: [participants]', 5)).toBeUndefined()
  })
})

const report = (
  operationId: string,
  entries: [string, 'PENDING' | 'ACCEPTED' | 'REJECTED', string?][],
): ParticipantsReport => ({
  operationId,
  campaignId: Number(CAMPAIGN),
  participants: entries.map(([identifier, status, errorReason]) => ({
    identifyBy: { identifier, type: 'EMAIL' },
    status,
    ...(errorReason ? { errorReason } : {}),
  })),
})

describe('Moments report tracker', () => {
  it('polls each operation once for everyone waiting on it', async () => {
    vi.useFakeTimers({ now: 0 })
    const polls: string[] = []
    const tracker = new MomentsReportTracker({
      pollMs: 20,
      fetchReport: async (_c, operationId) => {
        polls.push(operationId)
        const n = polls.filter((id) => id === operationId).length
        const ids = Array.from({ length: 1_000 }, (_, i) => `${operationId}-${i}@example.com`)
        return report(
          operationId,
          ids.map((id) => [id, n < 3 ? 'PENDING' : 'ACCEPTED']),
        )
      },
    })
    const waits = ['op1', 'op2', 'op3'].flatMap((op) =>
      Array.from({ length: 1_000 }, (_, i) =>
        tracker.follow(
          CAMPAIGN,
          op,
          { identifier: `${op}-${i}@example.com`, type: 'EMAIL' },
          { waitMs: 5_000, addedAt: Date.now() },
        ),
      ),
    )
    const results = Promise.all(waits)
    // Each report answers pending twice, then final; a fake second is plenty for three polls.
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await results).every((r) => r.kind === 'final' && r.fate.status === 'ACCEPTED')).toBe(true)
    expect(polls.sort()).toEqual(['op1', 'op1', 'op1', 'op2', 'op2', 'op2', 'op3', 'op3', 'op3'])
    // The outbox worker asking right after gets the kept report, no new call.
    const again = await tracker.follow(
      CAMPAIGN,
      'op1',
      { identifier: 'op1-5@example.com', type: 'EMAIL' },
      { waitMs: 0, addedAt: Date.now() },
    )
    expect(again.kind).toBe('final')
    expect(polls).toHaveLength(9)
    tracker.close()
  })

  it('answers "pending" after waitMs, and a look-once shares one call', async () => {
    let calls = 0
    const tracker = new MomentsReportTracker({
      pollMs: 10,
      freshMs: 60_000,
      fetchReport: async (_c, id) => {
        calls += 1
        return report(id, [['a@example.com', 'PENDING']])
      },
    })
    const who = { identifier: 'a@example.com', type: 'EMAIL' as const }
    expect(await tracker.follow(CAMPAIGN, 'op', who, { waitMs: 100, addedAt: Date.now() })).toEqual({ kind: 'pending' })
    expect(calls).toBeGreaterThan(0)
    // Fifty deliveries of one operation in a worker pass: one call between them, then none while fresh.
    const look = (op: string) => tracker.follow(CAMPAIGN, op, who, { waitMs: 0, addedAt: Date.now() })
    const before = calls
    const looks = await Promise.all(Array.from({ length: 50 }, () => look('op2')))
    expect(looks.every((l) => l.kind === 'pending')).toBe(true)
    expect(calls - before).toBe(1)
    await Promise.all(Array.from({ length: 50 }, () => look('op2')))
    expect(calls - before).toBe(1)
    tracker.close()
  })

  it('ends the wait when a report is pushed, without a poll, and says so once', async () => {
    const fetchReport = vi.fn(async (_c: string, id: string) => report(id, [['a@example.com', 'PENDING']]))
    const completed: string[] = []
    const tracker = new MomentsReportTracker({ pollMs: 60_000, fetchReport, onComplete: (id) => completed.push(id) })
    const waiting = tracker.follow(
      CAMPAIGN,
      'op',
      { identifier: 'A@example.com', type: 'EMAIL' },
      { waitMs: 10_000, addedAt: Date.now() },
    )
    tracker.feed(report('op', [['a@example.com', 'REJECTED', 'REJECTED_NOT_ENOUGH_CREDITS']]))
    tracker.feed(report('op', [['a@example.com', 'REJECTED', 'REJECTED_NOT_ENOUGH_CREDITS']]))
    expect(await waiting).toEqual({
      kind: 'final',
      fate: { status: 'REJECTED', errorReason: 'REJECTED_NOT_ENOUGH_CREDITS' },
    })
    expect(fetchReport).not.toHaveBeenCalled()
    expect(completed).toEqual(['op'])
    tracker.close()
  })

  it('keeps waiting through a 404 or a 503, but reports a 403', async () => {
    const errors = [
      new InfobipHttpError('GET', '/r', 404, '404', undefined, undefined),
      new InfobipHttpError('GET', '/r', 503, undefined, undefined, undefined),
    ]
    const tracker = new MomentsReportTracker({
      pollMs: 10,
      fetchReport: async (_c, id) => {
        const next = errors.shift()
        if (next) {
          throw next
        }
        return report(id, [['a@example.com', 'ACCEPTED']])
      },
    })
    const who = { identifier: 'a@example.com', type: 'EMAIL' as const }
    expect(await tracker.follow(CAMPAIGN, 'op', who, { waitMs: 2_000, addedAt: Date.now() })).toMatchObject({
      kind: 'final',
    })
    const forbidden = new InfobipHttpError('GET', '/r', 403, 'FORBIDDEN', undefined, undefined)
    const denied = new MomentsReportTracker({ pollMs: 10, fetchReport: () => Promise.reject(forbidden) })
    expect(await denied.follow(CAMPAIGN, 'op', who, { waitMs: 2_000, addedAt: Date.now() })).toEqual({
      kind: 'error',
      error: forbidden,
    })
    tracker.close()
    denied.close()
  })

  it('gives up on an operation after maxAgeMs and on a finished report that leaves the person out', async () => {
    let now = 1_000_000
    const tracker = new MomentsReportTracker({
      now: () => now,
      fetchReport: async (_c, id) =>
        id === 'old' ? report(id, [['a@example.com', 'PENDING']]) : report(id, [['b@example.com', 'ACCEPTED']]),
    })
    const who = { identifier: 'a@example.com', type: 'EMAIL' as const }
    expect(await tracker.follow(CAMPAIGN, 'old', who, { waitMs: 0, addedAt: now - DAY_MS + 1_000 })).toEqual({
      kind: 'pending',
    })
    now += 2_000
    expect(await tracker.follow(CAMPAIGN, 'old', who, { waitMs: 0, addedAt: now - DAY_MS - 1_000 })).toMatchObject({
      kind: 'expired',
    })
    expect(await tracker.follow(CAMPAIGN, 'other', who, { waitMs: 0, addedAt: now })).toEqual({ kind: 'missing' })
    tracker.close()
  })
})

describe('enrolMoments', () => {
  const data: PersonData = { person: {}, email: 'ana@example.com', emailField: 'email' }
  const gateway = (
    follow: MomentsGateway['follow'],
    add: MomentsGateway['add'] = async () => 'op-1',
  ): MomentsGateway => ({ add, follow })

  it('maps fates to outcomes, keeping what the operator needs', async () => {
    const fate = (status: 'ACCEPTED' | 'REJECTED', errorReason?: string) =>
      enrolMoments(
        gateway(async () => ({ kind: 'final', fate: { status, errorReason } })),
        { campaignId: CAMPAIGN },
        data,
        { waitMs: 100 },
      )
    expect(await fate('ACCEPTED')).toEqual({ kind: 'done', status: 'enrolled' })
    expect(await fate('REJECTED', 'REJECTED_PERSON_IN_FLOW')).toEqual({ kind: 'done', status: 'already_enrolled' })
    expect(await fate('REJECTED', 'REJECTED_PERSON_ALREADY_IN_FLOW')).toEqual({
      kind: 'done',
      status: 'already_enrolled',
    })
    expect(await fate('REJECTED', 'REJECTED_NOT_ENOUGH_CREDITS')).toMatchObject({
      kind: 'failed',
      upstreamCode: 'REJECTED_NOT_ENOUGH_CREDITS',
      reason: expect.stringContaining('op-1'),
    })
  })

  it('keeps the operation and its start when the report is not final, and fails it when it never will be', async () => {
    const pending = await enrolMoments(
      gateway(async () => ({ kind: 'pending' })),
      { campaignId: CAMPAIGN },
      data,
      { waitMs: 0 },
    )
    expect(pending).toMatchObject({ kind: 'awaiting', state: { operationId: 'op-1', addedAt: expect.any(Number) } })
    const expired = await enrolMoments(
      gateway(async () => ({ kind: 'expired', ageMs: DAY_MS + 1 })),
      { campaignId: CAMPAIGN },
      data,
      {
        waitMs: 0,
        operationId: 'op-9',
        addedAt: 0,
      },
    )
    expect(expired).toMatchObject({
      kind: 'failed',
      upstreamCode: 'REPORT_TIMEOUT',
      reason: expect.stringContaining('op-9'),
    })
  })

  it('answers "awaiting" when the add is still queued after the wait, without losing the add', async () => {
    let added: (id: string) => void = () => {}
    const add = vi.fn(() => new Promise<string>((resolve) => (added = resolve)))
    const outcome = await enrolMoments(
      gateway(async () => ({ kind: 'pending' }), add),
      { campaignId: CAMPAIGN },
      data,
      {
        waitMs: 30,
        key: 'delivery:7',
      },
    )
    expect(outcome).toEqual({ kind: 'awaiting', state: { adding: true } })
    expect(add).toHaveBeenCalledWith(CAMPAIGN, expect.anything(), { key: 'delivery:7' })
    added('op-late')
  })
})
