// Small pieces of the composition root (runtime.ts) that need nothing of it.
import { ConfigError, type LoadedConfig } from './config/load'
import type { Logger } from './common/log'
import type { Outbox } from './delivery/outbox'

/** Forms that deliver only to RapidPro stop the start when RapidPro is off; others get a warning. */
export function checkRapidproForms(loaded: LoadedConfig, rapidproEnabled: boolean, log: Logger): void {
  if (rapidproEnabled) {
    return
  }
  const stranded = loaded.config.forms.filter((f) => f.rapidpro && !f.flow && !f.infobipFormId)
  if (stranded.length > 0) {
    // Their signups would go nowhere: better not to start than to thank people and drop them.
    const ids = stranded.map((f) => `"${f.id}"`).join(', ')
    throw new ConfigError(
      `Config ${loaded.source ?? 'built-in demo config'}: form ${ids} delivers only to RapidPro, but RAPIDPRO_BASE_URL and RAPIDPRO_TOKEN are not set`,
    )
  }
  const skipped = loaded.config.forms.filter((f) => f.rapidpro).map((f) => f.id)
  if (skipped.length > 0) {
    log.warn(
      { forms: skipped },
      'RapidPro is not configured (RAPIDPRO_BASE_URL, RAPIDPRO_TOKEN): the "rapidpro" blocks of these forms are skipped',
    )
  }
}

/** Stands for the embedded outbox on PostgreSQL: any use says where to look instead. */
export function embeddedOnly(): Outbox {
  return new Proxy({} as Outbox, {
    get() {
      throw new Error('runtime.outbox is the embedded outbox; with FLOWFORM_DATABASE_URL use runtime.store.queue')
    },
  })
}

/** A call whose target is connected after the caller is built: a construction cycle, broken in the open. */
export function relay<A extends unknown[]>(): {
  call: (...args: A) => void
  connect(target: (...args: A) => void): void
} {
  let target: ((...args: A) => void) | null = null
  return {
    call: (...args) => target?.(...args),
    connect(next) {
      target = next
    },
  }
}

/** FLOWFORM_FLOW_DEADLINE_MS (or the runtime option) when set; else submit.ts's own default. */
export function deadline(ms: number | undefined): { deadlineMs?: number } {
  return ms === undefined ? {} : { deadlineMs: ms }
}

/** The keys of `source` that are set, for passing optional settings on without `undefined`s. */
export function pick<T extends object, K extends keyof T>(source: T | undefined, keys: K[]): Partial<Pick<T, K>> {
  const result: Partial<Pick<T, K>> = {}
  for (const key of keys) {
    if (source?.[key] !== undefined) {
      result[key] = source[key]
    }
  }
  return result
}
