import { setImmediate as nextTurn } from 'node:timers'
import type { Pool, PoolClient } from 'pg'
import type { ConsentEvidence } from '../consent-store'
import { columnsOf, type Row } from '../outbox-sql'
import type { Delivery, PlannedDelivery } from '../payloads'

/** One `add` call waiting for its group's commit. */
export interface NewSubmission {
  submissionId: string
  formId: string
  items: readonly PlannedDelivery[]
  consent: ConsentEvidence | null | undefined
  /** This process holds the deliveries (delivering them now); null: due now for any instance's worker. */
  claimedBy: string | null
  now: number
}

interface Waiting {
  submission: NewSubmission
  resolve: (deliveries: Delivery[]) => void
  reject: (error: unknown) => void
}

/** Groups written at once; more wait and grow meanwhile, so a burst makes few, large commits. */
const MAX_CONCURRENT_GROUPS = 4

/**
 * Group commit on PostgreSQL: the `add` calls of one event-loop turn (and those that arrive while
 * earlier groups commit) share one transaction of two INSERTs (consents, deliveries), so a commit's
 * cost (~2 ms with a synced WAL) is paid per group. Written here for the same reason as
 * group-commit.ts: it is a few lines over the pool, and no kept library batches inserts for us.
 * One submission that cannot be written must not sink the others: a failed group is written again
 * one submission at a time.
 */
export class GroupInsert {
  #group: Waiting[] = []
  #scheduled = false
  #running = 0

  constructor(private readonly pool: Pool) {}

  add(submission: NewSubmission): Promise<Delivery[]> {
    return new Promise((resolve, reject) => {
      this.#group.push({ submission, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (!this.#scheduled && this.#running < MAX_CONCURRENT_GROUPS && this.#group.length > 0) {
      this.#scheduled = true
      nextTurn(() => {
        this.#scheduled = false
        void this.#flush()
      })
    }
  }

  async #flush(): Promise<void> {
    const group = this.#group
    this.#group = []
    if (group.length === 0) {
      return
    }
    this.#running += 1
    try {
      const written = await this.#write(group.map((w) => w.submission))
      group.forEach((waiting, index) => waiting.resolve(written[index] ?? []))
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error)
      } else {
        await Promise.all(
          group.map(async (waiting) => {
            try {
              waiting.resolve((await this.#write([waiting.submission]))[0] ?? [])
            } catch (alone) {
              waiting.reject(alone)
            }
          }),
        )
      }
    } finally {
      this.#running -= 1
      this.#schedule()
    }
  }

  /** One transaction; the deliveries of each submission, in the order given. */
  async #write(submissions: NewSubmission[]): Promise<Delivery[][]> {
    const client: PoolClient = await this.pool.connect()
    try {
      await client.query('BEGIN')
      await insertConsents(client, submissions)
      const rows = await insertDeliveries(client, submissions)
      await client.query('COMMIT')
      return submissions.map((s) =>
        rows
          .filter((row) => row.submission_id === s.submissionId)
          .sort((a, b) => a.id - b.id)
          .map((row, index) => toDelivery(row, s.items[index])),
      )
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }
}

async function insertConsents(client: PoolClient, submissions: NewSubmission[]): Promise<void> {
  const withConsent = submissions.filter((s) => s.consent)
  if (withConsent.length === 0) {
    return
  }
  const col = <T>(pick: (s: NewSubmission, c: ConsentEvidence) => T): T[] =>
    withConsent.map((s) => pick(s, s.consent as ConsentEvidence))
  await client.query(
    `INSERT INTO flowform_consents (submission_id, form_id, accepted_at, locale, version, page, texts, email, phone)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
    [
      col((s) => s.submissionId),
      col((s) => s.formId),
      col((_, c) => c.acceptedAt),
      col((_, c) => c.locale),
      col((_, c) => c.version),
      col((_, c) => c.page),
      col((_, c) => JSON.stringify(c.texts)),
      col((_, c) => c.email),
      col((_, c) => c.phone),
    ],
  )
}

async function insertDeliveries(client: PoolClient, submissions: NewSubmission[]): Promise<Row[]> {
  const items = submissions.flatMap((s) => s.items.map((item) => ({ s, item })))
  if (items.length === 0) {
    return []
  }
  const col = <T>(pick: (s: NewSubmission, item: PlannedDelivery) => T): T[] =>
    items.map(({ s, item }) => pick(s, item))
  // Serial ids follow the order of unnest's rows: each submission's deliveries come back in order.
  const result = await client.query<Row>(
    `INSERT INTO flowform_deliveries
       (submission_id, form_id, target, payload, state, status, next_attempt_at, created_at, updated_at, claimed_by, batch_key)
     SELECT s, f, t, p, '{}', 'pending', n, n, n, c, b
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS u(s, f, t, p, n, c, b)
     RETURNING *`,
    [
      col((s) => s.submissionId),
      col((s) => s.formId),
      col((_, item) => item.target),
      col((_, item) => JSON.stringify(item.payload)),
      col((s) => s.now),
      col((s) => s.claimedBy),
      col((_, item) => batchKeyOf(item)),
    ],
  )
  return result.rows
}

/** The Moments campaign a delivery's add call goes to: deliveries with one key can share a batch. */
export function batchKeyOf(item: PlannedDelivery): string | null {
  return item.target === 'flow' && item.payload.flow.api === 'moments'
    ? `moments:${item.payload.flow.campaignId}`
    : null
}

function toDelivery(row: Row, item: PlannedDelivery | undefined): Delivery {
  if (!item) {
    throw new Error(`delivery ${row.id} came back without its planned item`)
  }
  const { id, submissionId, formId, createdAt, nextAttemptAt } = columnsOf(row)
  const fields = { id, submissionId, formId, createdAt, nextAttemptAt, attempts: 0, lastError: null }
  return { ...fields, ...item, status: 'pending', operatorRetries: 0, state: {} }
}
