import { statement } from './statements'
import type Database from 'better-sqlite3'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { PersonRef } from './identities'

/** One consent field the person ticked, worded exactly as the widget showed it. */
export interface ConsentText {
  /** The submission key of the checkbox. */
  field: string
  /** The text beside the box: `checkboxText`, else `label` (widget/form/field.tsx). */
  text: string
  /** The question shown above the box, when the field has both a label and a different checkboxText. */
  question?: string
}

/** What a person agreed to with one signup: written next to its deliveries, in the same transaction. */
export interface ConsentEvidence {
  /** Server time (ms since the epoch) the signup was accepted. */
  acceptedAt: number
  /** The language the form was shown in (the built-in locale chosen for `context.locale`). */
  locale: string
  /** formVersion(): the config's `consent.version` or a hash of the public definition. */
  version: string
  /** `context.page` of the submission, else the Origin it came from; null when neither. */
  page: string | null
  texts: ConsentText[]
  /** Who agreed, as contract/identity.ts normalises them: how `flowform consent` and `erase` find it. */
  email: string | null
  phone: string | null
}

/**
 * Consent records in the outbox's SQLite file (delivery/outbox-sql.ts creates the table), so that
 * a record is written in the same transaction as its submission's deliveries and is as durable
 * (WAL): there is never a delivery without its consent record. Kept until retention.ts purges it
 * or `flowform erase` deletes it.
 */

export const CONSENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS consents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  submission_id TEXT NOT NULL,
  form_id TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  locale TEXT NOT NULL,
  version TEXT NOT NULL,
  page TEXT,
  texts TEXT NOT NULL,
  email TEXT,
  phone TEXT
);
CREATE INDEX IF NOT EXISTS consents_email ON consents (email);
CREATE INDEX IF NOT EXISTS consents_phone ON consents (phone);
CREATE INDEX IF NOT EXISTS consents_accepted ON consents (accepted_at);
`

/** A stored consent record, as `flowform consent` prints it. */
export interface ConsentRecord extends ConsentEvidence {
  id: number
  submissionId: string
  formId: string
}

/**
 * The consent records as retention and the operator's commands use them, on either backend
 * (this file: SQLite, synchronous; postgres/consents.ts: PostgreSQL).
 */
export interface ConsentRecords {
  /** The person's records, oldest first. */
  of(who: PersonRef): ConsentRecord[] | Promise<ConsentRecord[]>
  /** An erasure request: deletes the person's records; returns how many. */
  erase(who: PersonRef): number | Promise<number>
  /** Deletes the records older than their form's retention at `now`; returns how many. */
  purge(retention: ConsentRetention, now: number): number | Promise<number>
  count(): number | Promise<number>
}

export interface ConsentRow {
  id: number
  submission_id: string
  form_id: string
  accepted_at: number
  locale: string
  version: string
  page: string | null
  texts: string
  email: string | null
  phone: string | null
}

/** How long each form's records are kept (retention.ts); forms not listed get `defaultDays`. */
export interface ConsentRetention {
  byForm: Record<string, number>
  defaultDays: number
}

export const DAY_MS = 86_400_000

/** Called inside the transaction that adds the submission's deliveries (delivery/outbox-sql.ts). */
export function insertConsent(
  db: Database.Database,
  submissionId: string,
  formId: string,
  evidence: ConsentEvidence,
): void {
  statement(
    db,
    `INSERT INTO consents (submission_id, form_id, accepted_at, locale, version, page, texts, email, phone)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    submissionId,
    formId,
    evidence.acceptedAt,
    evidence.locale,
    evidence.version,
    evidence.page,
    JSON.stringify(evidence.texts),
    evidence.email,
    evidence.phone,
  )
}

export class ConsentStore implements ConsentRecords {
  readonly #db: Database.Database

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** The person's records, oldest first. */
  of(who: PersonRef): ConsentRecord[] {
    const rows = this.#db
      .prepare(`SELECT * FROM consents WHERE ${WHO} ORDER BY accepted_at, id`)
      .all(whoParams(who)) as ConsentRow[]
    return rows.map(toConsentRecord)
  }

  /** An erasure request: deletes the person's records; returns how many. */
  erase(who: PersonRef): number {
    return this.#db.prepare(`DELETE FROM consents WHERE ${WHO}`).run(whoParams(who)).changes
  }

  /** Deletes the records older than their form's retention at `now`; returns how many. */
  purge(retention: ConsentRetention, now: number): number {
    return this.#db.transaction(() => {
      const byForm = this.#db.prepare('DELETE FROM consents WHERE form_id = ? AND accepted_at < ?')
      let deleted = 0
      for (const [formId, days] of Object.entries(retention.byForm)) {
        deleted += byForm.run(formId, now - days * DAY_MS).changes
      }
      deleted += this.#db
        .prepare(`DELETE FROM consents WHERE accepted_at < ? AND form_id NOT IN (SELECT value FROM json_each(?))`)
        .run(now - retention.defaultDays * DAY_MS, JSON.stringify(Object.keys(retention.byForm))).changes
      return deleted
    })()
  }

  count(): number {
    return this.#db.prepare('SELECT COUNT(*) FROM consents').pluck().get() as number
  }
}

export const WHO = '((@email IS NOT NULL AND email = @email) OR (@phone IS NOT NULL AND phone = @phone))'

export function whoParams(who: PersonRef): { email: string | null; phone: string | null } {
  const email = who.email ? normaliseEmail(who.email) : ''
  const phone = who.phone ? normalisePhone(who.phone) : ''
  return { email: email || null, phone: phone || null }
}

export function toConsentRecord(row: ConsentRow): ConsentRecord {
  return {
    id: row.id,
    submissionId: row.submission_id,
    formId: row.form_id,
    acceptedAt: row.accepted_at,
    locale: row.locale,
    version: row.version,
    page: row.page,
    texts: parseTexts(row.texts),
    email: row.email,
    phone: row.phone,
  }
}

/** Unreadable JSON (a hand edit) reads as no texts rather than stopping the listing. */
function parseTexts(json: string): ConsentText[] {
  try {
    const parsed = JSON.parse(json) as unknown
    return Array.isArray(parsed) ? (parsed as ConsentText[]) : []
  } catch {
    return []
  }
}
