import type { DeliveryState } from './payloads'

/**
 * What one delivery attempt to an upstream came to. The submission pipeline turns these into the
 * answer the person sees and the outbox into what happens next.
 */
export type DeliveryOutcome =
  | { kind: 'done'; status: 'enrolled' | 'already_enrolled' }
  /** Upstream accepted the work but has not said how it ended (Moments operations). */
  | { kind: 'awaiting'; state: DeliveryState }
  /** Upstream was busy or broken: try again later, the person's data is kept. */
  | {
      kind: 'retry'
      reason: string
      retryAfterSeconds?: number | undefined
      /** Held back on our side (the account limiter), not refused upstream: no attempt is used up. */
      free?: boolean
      /**
       * The upstream itself was unavailable (unreachable, timed out, 5xx, 429): counts toward opening
       * its circuit breaker (upstream-health.ts). Not set for our own hold-backs or our own bugs.
       */
      unavailable?: boolean
    }
  /** The person can fix this: per-field messages. */
  | { kind: 'invalid'; fields: Record<string, string[]> }
  /** Only the operator can fix this (flow inactive, credentials, config). */
  | { kind: 'failed'; upstream: string; status?: number | undefined; upstreamCode?: string | undefined; reason: string }
