import type { FlowformConfig } from '../config/schema'
import type { Logger } from '../common/log'
import type { ConsentRecords, ConsentRetention } from './consent-store'

/**
 * Three years. Proof of consent is needed for as long as the signup is used (GDPR art. 7(1)) and
 * then for as long as a claim about it can be brought: the regular limitation period in, for
 * example, Germany (§ 195 BGB) and Austria (§ 1489 ABGB) is three years. A form that keeps
 * mailing people longer should set `consent.retentionDays` accordingly.
 */
export const DEFAULT_RETENTION_DAYS = 1095

/** Hourly: a record is never kept much past its day, and a pass is one indexed DELETE per form. */
const PURGE_INTERVAL_MS = 3_600_000

export function retentionOf(config: FlowformConfig): ConsentRetention {
  const byForm: Record<string, number> = {}
  for (const form of config.forms) {
    byForm[form.id] = form.consent?.retentionDays ?? DEFAULT_RETENTION_DAYS
  }
  return { byForm, defaultDays: DEFAULT_RETENTION_DAYS }
}

export interface ConsentRetentionTask {
  /** One purge now; how many records it deleted. */
  runOnce(): number | Promise<number>
  stop(): void
}

/**
 * Deletes consent records past their form's retention: at start, then every hour (records of forms
 * no longer configured get the default). A failed pass is logged and tried again at the next one.
 */
export function startConsentRetention(deps: {
  store: ConsentRecords
  config: FlowformConfig
  log: Logger
  now?: () => number
  intervalMs?: number
}): ConsentRetentionTask {
  const retention = retentionOf(deps.config)
  const failed = (error: unknown): number => {
    deps.log.error({ err: error }, 'could not delete consent records past their retention; trying again later')
    return 0
  }
  const done = (deleted: number): number => {
    if (deleted > 0) {
      deps.log.info({ deleted }, 'consent records past their retention deleted')
    }
    return deleted
  }
  // Synchronous on SQLite (the pass is over when runOnce returns), a promise on PostgreSQL.
  const runOnce = (): number | Promise<number> => {
    try {
      const deleted = deps.store.purge(retention, (deps.now ?? Date.now)())
      return typeof deleted === 'number' ? done(deleted) : deleted.then(done, failed)
    } catch (error) {
      return failed(error)
    }
  }
  void runOnce()
  const timer = setInterval(() => void runOnce(), deps.intervalMs ?? PURGE_INTERVAL_MS)
  timer.unref()
  return { runOnce, stop: () => clearInterval(timer) }
}
