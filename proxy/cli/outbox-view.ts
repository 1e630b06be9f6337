import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { DeliveryStatus, DeliveryTarget } from '../delivery/payloads'
import type { DeliveryQueue } from '../delivery/queue'
import { readCliEnv } from './context'
import { type CliIo, type Printer, table, UsageError } from './io'
import { formatDuration, maskedPerson, safeError } from './outbox-format'
import { noOutbox, openStore } from './outbox-file'
import { breakerLines } from './outbox-breakers'

export const STATUSES: readonly DeliveryStatus[] = ['pending', 'awaiting', 'failed', 'rejected', 'done']
const TARGETS: readonly DeliveryTarget[] = ['flow', 'form-data', 'rapidpro']
const DEFAULT_LIMIT = 50

/** Runs `use` on the server's store (the outbox, or PostgreSQL) and closes it; exit 1 when there is none. */
export async function withOutbox(
  io: CliIo,
  print: Printer,
  use: (outbox: DeliveryQueue, where: string) => number | Promise<number>,
): Promise<number> {
  const opened = await openStore(readCliEnv(io), io)
  if ('missing' in opened) {
    print.err(`flowform: ${noOutbox(opened.missing)}.`)
    return 1
  }
  const { queue, where } = opened.store
  try {
    return await use(queue, where)
  } finally {
    await queue.close()
  }
}

/**
 * `flowform outbox`: the running server's circuit breaker per upstream, deliveries per target and
 * status, and how long the oldest unfinished ones wait.
 */
export async function outboxSummary(args: string[], io: CliIo, print: Printer): Promise<number> {
  parseArgs({ args, options: {}, strict: true, allowPositionals: false })
  return withOutbox(io, print, async (outbox, where) => {
    const tally = await outbox.tally()
    print.out(`Outbox ${where}`)
    // The breaker states are this machine's server's (its data directory), whichever store is used.
    for (const line of breakerLines(resolve(io.cwd ?? process.cwd(), readCliEnv(io).dataDir))) {
      print.out(line)
    }
    if (tally.length === 0) {
      print.out('The outbox is empty.')
      return 0
    }
    const targets = [...new Set([...TARGETS, ...tally.map((t) => t.target)])]
    const cell = (target: DeliveryTarget | null, status: DeliveryStatus) =>
      String(
        tally
          .filter((t) => (target === null || t.target === target) && t.status === status)
          .reduce((n, t) => n + t.count, 0),
      )
    const headers = ['TARGET', ...STATUSES.map((s) => s.toUpperCase())]
    print.out(
      table(headers, [
        ...targets.map((t) => [t, ...STATUSES.map((s) => cell(t, s))]),
        ['all', ...STATUSES.map((s) => cell(null, s))],
      ]),
    )
    const now = Date.now()
    for (const status of ['pending', 'awaiting'] as const) {
      const oldest = await outbox.oldest(status)
      if (oldest) {
        const next = oldest.nextAttemptAt <= now ? 'now' : `in ${formatDuration(oldest.nextAttemptAt - now)}`
        print.out(
          `Oldest ${status}: ${formatDuration(now - oldest.createdAt)} (delivery ${oldest.id}, form ${oldest.formId}, ${oldest.target}, next try ${next}).`,
        )
      }
    }
    const failed = Number(cell(null, 'failed'))
    if (failed > 0) {
      print.out(
        `${failed} failed ${failed === 1 ? 'delivery needs' : 'deliveries need'} the operator: see \`npx flowform outbox list --status failed\`, fix the cause, then \`npx flowform outbox retry <id…>\` (or \`--all-failed\`).`,
      )
    }
    return 0
  })
}

/** `flowform outbox list`: one row per delivery, newest first, with no personal data. */
export async function outboxList(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { status: { type: 'string' }, form: { type: 'string' }, limit: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const status = values.status?.toLowerCase()
  if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`)
  }
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError('--limit must be a whole number above 0')
  }
  const filter = { status: status as DeliveryStatus | undefined, formId: values.form }
  return withOutbox(io, print, async (outbox) => {
    const deliveries = await outbox.list({ ...filter, limit, newestFirst: true })
    const total = await outbox.count(filter)
    if (deliveries.length === 0) {
      print.out('No deliveries.')
      return 0
    }
    const now = Date.now()
    const unfinished = (s: DeliveryStatus) => s === 'pending' || s === 'awaiting'
    const rows = deliveries.map((d) => [
      String(d.id),
      d.formId,
      d.target,
      d.status,
      String(d.attempts),
      formatDuration(now - d.createdAt),
      unfinished(d.status) ? (d.nextAttemptAt <= now ? 'now' : `in ${formatDuration(d.nextAttemptAt - now)}`) : '-',
      maskedPerson(d),
      safeError(d.lastError),
    ])
    print.out(table(['ID', 'FORM', 'TARGET', 'STATUS', 'ATTEMPTS', 'AGE', 'NEXT TRY', 'PERSON', 'LAST ERROR'], rows))
    print.out(
      total > deliveries.length
        ? `Showing the newest ${deliveries.length} of ${total} deliveries; --limit shows more.`
        : `${total} ${total === 1 ? 'delivery' : 'deliveries'}.`,
    )
    return 0
  })
}
