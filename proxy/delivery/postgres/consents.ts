import type { Pool } from 'pg'
import {
  type ConsentRecord,
  type ConsentRecords,
  type ConsentRetention,
  type ConsentRow,
  DAY_MS,
  toConsentRecord,
  whoParams,
} from '../consent-store'
import type { PersonRef } from '../identities'

/**
 * The consent records in PostgreSQL (flowform_consents, written with their deliveries by
 * insert.ts), so that `flowform consent` and `erase` see those of every instance.
 */
export class PgConsentStore implements ConsentRecords {
  constructor(private readonly pool: Pool) {}

  async of(who: PersonRef): Promise<ConsentRecord[]> {
    const { email, phone } = whoParams(who)
    const { rows } = await this.pool.query<ConsentRow>(
      `SELECT * FROM flowform_consents WHERE ${WHO} ORDER BY accepted_at, id`,
      [email, phone],
    )
    return rows.map(toConsentRecord)
  }

  async erase(who: PersonRef): Promise<number> {
    const { email, phone } = whoParams(who)
    return (await this.pool.query(`DELETE FROM flowform_consents WHERE ${WHO}`, [email, phone])).rowCount ?? 0
  }

  /** One statement: each record against its form's retention, the default for forms not listed. */
  async purge(retention: ConsentRetention, now: number): Promise<number> {
    const forms = Object.keys(retention.byForm)
    const result = await this.pool.query(
      `DELETE FROM flowform_consents c
       WHERE c.accepted_at < $1::bigint - COALESCE(
         (SELECT days FROM unnest($2::text[], $3::bigint[]) AS r(form_id, days) WHERE r.form_id = c.form_id),
         $4::bigint) * ${DAY_MS}`,
      [now, forms, forms.map((f) => retention.byForm[f]), retention.defaultDays],
    )
    return result.rowCount ?? 0
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM flowform_consents')
    return rows[0]?.n ?? 0
  }
}

/** consent-store.ts WHO with positional parameters. */
const WHO = '(($1::text IS NOT NULL AND email = $1) OR ($2::text IS NOT NULL AND phone = $2))'
