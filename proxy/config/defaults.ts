import { DEFAULT_LOG_LEVEL } from '../common/log'
/**
 * Every default of the proxy, written once. The environment (env.ts), the composition root
 * (runtime.ts) and the parts themselves take their fallbacks from here, so changing one means
 * changing one line. Values that the contract names (section 2) are marked so.
 */
export const DEFAULTS = {
  /** PORT (contract). */
  port: 8787,
  /** HOST (contract): loopback unless the operator opens it up. */
  host: '127.0.0.1',
  /** FLOWFORM_DATA_DIR (contract): where the outbox lives. */
  dataDir: './.flowform',
  /** LOG_LEVEL (contract). */
  logLevel: DEFAULT_LOG_LEVEL,
  /** FLOWFORM_SUBMISSIONS_PER_MINUTE (contract): per client address and form. */
  submissionsPerMinute: 20,
  /** FLOWFORM_VIEWS_PER_MINUTE (contract): per client address and form. */
  viewsPerMinute: 120,
  /** FLOWFORM_MOMENTS_BATCH_MS: how long a Moments batch waits for company. */
  momentsBatchWindowMs: 150,
  /** INFOBIP_REQUESTS_PER_SECOND: the account's rate limit shared by every call. */
  infobipRequestsPerSecond: 10,
  /** A form's `confirmation` (contract section 3): answer as soon as the signup is durably stored. */
  confirmation: 'instant',
  /** How long a submission request waits for its deliveries before it answers "queued". */
  requestWaitMs: 3_000,
  /** How often the outbox worker looks for deliveries that are due. */
  workerIntervalMs: 1_000,
  /** The same with FLOWFORM_DATABASE_URL: instant signups wait for a worker's pass, and batches fill across instances. */
  sharedWorkerIntervalMs: 200,
  /** The largest submission body the proxy reads. */
  maxSubmissionBytes: 16 * 1024,
  /** How long one upstream call (Infobip, RapidPro, Infobip's token endpoints) may take. */
  upstreamTimeoutMs: 10_000,
  /** How long a fetched Infobip form definition (or its absence) is served before it is fetched again. */
  formDefinitionTtlMs: 60_000,
  /** FLOWFORM_MAX_CONNECTIONS: open connections at once; a flood of idle sockets cannot exhaust the process. */
  maxConnections: 1_000,
  /** The whole request (headers and body) must arrive within this; a body trickled in is cut off. */
  requestTimeoutMs: 15_000,
  /** The request headers must arrive within this. */
  headersTimeoutMs: 10_000,
} as const

export { LOG_LEVELS, type LogLevel } from '../common/log'
