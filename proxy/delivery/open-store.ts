import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ProxyEnv } from '../config/env'
import type { Logger } from '../common/log'
import { GroupCommit } from './group-commit'
import { Outbox } from './outbox'
import { batchSettles } from './settle-batch'
import type { DeliveryQueue } from './queue'
import type { CallLimiter } from '../upstreams/infobip/account-limiter'

/**
 * The one place that decides where deliveries live: the embedded SQLite outbox under
 * FLOWFORM_DATA_DIR (default: one instance, zero setup) or, with FLOWFORM_DATABASE_URL, the
 * PostgreSQL store every instance shares (postgres/pg-queue.ts, loaded only then). The server, the
 * worker and the operator's commands all open their store here, so they see the same signups.
 */
export interface DeliveryStore {
  kind: 'embedded' | 'postgres'
  queue: DeliveryQueue
  /** How the signup path writes a submission: group-committed on both backends. */
  writer: Pick<DeliveryQueue, 'add'>
  /** The SQLite outbox when embedded (tests and benchmarks reach into it); null on PostgreSQL. */
  outbox: Outbox | null
  /**
   * Whether the request that stored a signup delivers it itself. On PostgreSQL it leaves instant
   * signups to the workers, whose claims fill Moments batches with every instance's signups.
   */
  deliverOnAccept: boolean
  /** Where it is, for messages (never the database password). */
  where: string
  /** PostgreSQL: the Infobip limiter every instance shares (upstreams/infobip/shared-limiter.ts). */
  sharedLimiter?: (account: string, perSecond: number) => CallLimiter
  /**
   * PostgreSQL: the spent ALTCHA challenges every instance shares (else each instance's memory).
   * Typed here by its shape: signup/bots/spent-challenges.ts names it, and signup imports delivery.
   */
  spentChallenges?: { spend(signature: string): Promise<boolean> }
}

export interface OpenStoreOptions {
  log?: Logger
  now?: () => number
  /** The working directory a relative FLOWFORM_DATA_DIR is taken from (the CLI's). */
  cwd?: string
}

/** Opens (creating if needed) the store the server and the worker use. */
export async function openDeliveryStore(
  env: Pick<ProxyEnv, 'dataDir' | 'databaseUrl'>,
  options: OpenStoreOptions = {},
): Promise<DeliveryStore> {
  if (env.databaseUrl) {
    return openPostgres(env.databaseUrl, options, true)
  }
  const outbox = Outbox.open(env.dataDir, options.now ? { now: options.now } : {})
  return {
    kind: 'embedded',
    queue: batchSettles(outbox),
    writer: new GroupCommit(outbox),
    outbox,
    deliverOnAccept: true,
    where: join(env.dataDir, 'outbox.db'),
  }
}

/**
 * The store for an operator command, or where it was looked for when there is none. The embedded
 * outbox is never created here: an empty one made by a typo in FLOWFORM_DATA_DIR would look like
 * "nothing to do". PostgreSQL is always there; the command holds no claims.
 */
export async function openOperatorStore(
  env: Pick<ProxyEnv, 'dataDir' | 'databaseUrl'>,
  options: OpenStoreOptions = {},
): Promise<{ store: DeliveryStore } | { missing: string }> {
  if (env.databaseUrl) {
    return { store: await openPostgres(env.databaseUrl, options, false) }
  }
  const file = join(resolve(options.cwd ?? process.cwd(), env.dataDir), 'outbox.db')
  if (!existsSync(file)) {
    return { missing: file }
  }
  const outbox = new Outbox(file)
  return { store: { kind: 'embedded', queue: outbox, writer: outbox, outbox, deliverOnAccept: true, where: file } }
}

async function openPostgres(url: string, options: OpenStoreOptions, owner: boolean): Promise<DeliveryStore> {
  const { PgDeliveryQueue } = await import('./postgres/pg-queue')
  const { SharedAccountLimiter } = await import('../upstreams/infobip/shared-limiter')
  const { PgSpentChallenges } = await import('./postgres/spent-challenges')
  const { STALE_MS } = await import('./postgres/owner')
  const queue = await PgDeliveryQueue.open(url, {
    owner,
    ...(options.log ? { log: options.log } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
  return {
    kind: 'postgres',
    queue,
    writer: queue,
    outbox: null,
    deliverOnAccept: false,
    where: describeUrl(url),
    sharedLimiter: (account, perSecond) =>
      new SharedAccountLimiter({ pool: queue.pool, account, perSecond, owner: queue.ownerId, ownerStaleMs: STALE_MS }),
    spentChallenges: new PgSpentChallenges(queue.pool),
  }
}

/** host:port/database of a database URL, for messages: no user name, no password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `PostgreSQL ${parsed.host}${parsed.pathname}`
  } catch {
    return 'PostgreSQL'
  }
}
