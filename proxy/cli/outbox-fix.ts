import { parseArgs } from 'node:util'
import { type CliIo, type Printer, UsageError } from './io'
import { withOutbox } from './outbox-view'

const DAY_MS = 86_400_000
const WORKER_NOTE = "the running proxy's outbox worker sends them within seconds (or when it next starts)"

/**
 * `flowform outbox retry <id…> | --all-failed [--form <id>]`: failed deliveries back to pending,
 * due now, with their attempts reset. Only failed ones move: anything else is already in the
 * worker's hands or finished. Exit 1 when a given id could not be retried.
 */
export async function outboxRetry(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'all-failed': { type: 'boolean' }, form: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  })
  const all = values['all-failed'] === true
  if (all === positionals.length > 0) {
    throw new UsageError('give the ids of failed deliveries, or --all-failed')
  }
  if (values.form !== undefined && !all) {
    throw new UsageError('--form goes with --all-failed')
  }
  const ids = positionals.map(Number)
  const bad = positionals.find((_, i) => !Number.isSafeInteger(ids[i]) || (ids[i] ?? 0) < 1)
  if (bad !== undefined) {
    throw new UsageError(`"${bad}" is not a delivery id (see \`npx flowform outbox list\`)`)
  }
  return withOutbox(io, print, async (outbox) => {
    if (all) {
      const moved = await outbox.retryAllFailed(values.form)
      const scope = values.form ? ` of form "${values.form}"` : ''
      print.out(
        moved === 0
          ? `No failed deliveries${scope}; nothing to retry.`
          : `Moved ${moved} failed ${plural(moved)}${scope} back to pending; ${WORKER_NOTE}.`,
      )
      return 0
    }
    const moved = new Set(await outbox.retryFailed(ids))
    for (const id of new Set(ids)) {
      if (!moved.has(id)) {
        const delivery = await outbox.get(id)
        print.err(
          delivery
            ? `flowform: delivery ${id} is ${delivery.status}, not failed; only failed deliveries are retried.`
            : `flowform: there is no delivery ${id}.`,
        )
      }
    }
    print.out(
      `Moved ${moved.size} failed ${plural(moved.size)} back to pending${moved.size > 0 ? `; ${WORKER_NOTE}` : ''}.`,
    )
    return moved.size === new Set(ids).size ? 0 : 1
  })
}

/** `flowform outbox purge --done-older-than <days>`: deletes deliveries that finished (done or rejected) before then. */
export async function outboxPurge(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'done-older-than': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const raw = values['done-older-than']
  if (raw === undefined) {
    throw new UsageError('--done-older-than is required')
  }
  const days = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(days) || days < 0) {
    throw new UsageError('--done-older-than must be a whole number of days (0 or more)')
  }
  return withOutbox(io, print, async (outbox) => {
    // Pending, awaiting and failed deliveries are never purged: they still have to be sent.
    const deleted = await outbox.purgeFinished(Date.now() - days * DAY_MS)
    print.out(
      `Deleted ${deleted} finished ${plural(deleted)} (done or rejected) older than ${days} ${days === 1 ? 'day' : 'days'}.`,
    )
    return 0
  })
}

function plural(n: number): string {
  return n === 1 ? 'delivery' : 'deliveries'
}
