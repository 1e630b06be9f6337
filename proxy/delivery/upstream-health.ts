import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  type FailureReason,
  handleWhenResult,
  type IBackoff,
  type IBreaker,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel'
import type { Logger } from '../common/log'
import type { DeliveryOutcome } from './outcome'
import type { DeliveryTarget } from './payloads'

/**
 * The health of each upstream account (the Infobip account, the RapidPro workspace) as a circuit
 * breaker (cockatiel): closed while it answers, open once it stopped answering, half-open while
 * one probe tests it. Every delivery attempt, from the worker and from a person's request, goes
 * through `run`, the one choke point. While open, deliveries are not attempted at all: they stay
 * pending, no attempt is counted and no per-delivery backoff grows; the first probe that gets an
 * answer closes the breaker and wakes every delivery waiting for that upstream (worker.ts).
 *
 * Only availability counts toward opening: a network error, a timeout, a 5xx or a 429 (outcomes
 * marked `unavailable`). A refusal of a value, an operator's problem (4xx) or our own limiter's
 * hold-back is an answer, so it counts as the upstream being up.
 */

export type UpstreamName = 'infobip' | 'rapidpro'
export type BreakerState = 'closed' | 'open' | 'half-open'

export const UPSTREAMS: readonly UpstreamName[] = ['infobip', 'rapidpro']

const TARGETS: Record<UpstreamName, readonly DeliveryTarget[]> = {
  infobip: ['form-data', 'flow'],
  rapidpro: ['rapidpro'],
}

/** Which upstream account a delivery of this target goes to. */
export function upstreamOf(target: DeliveryTarget): UpstreamName {
  return target === 'rapidpro' ? 'rapidpro' : 'infobip'
}

export function targetsOf(upstream: UpstreamName): readonly DeliveryTarget[] {
  return TARGETS[upstream]
}

export interface BreakerOptions {
  /** Consecutive availability failures that open the breaker; default 5. */
  failures?: number
  /** First open period; doubles with each failed probe up to `maxOpenMs`. Default 1 s. */
  openMs?: number
  /** Longest open period (how long a healed upstream may wait for its next probe); default 5 s. */
  maxOpenMs?: number
}

export interface BreakerSnapshot {
  upstream: UpstreamName
  state: BreakerState
  /** When the state was entered (ms since epoch). */
  since: number
  /** While open: when the next probe may go (ms since epoch). */
  probeAt?: number
  /** What opened it (the last availability failure), for the operator. */
  reason?: string
}

export type BreakerListener = (snapshot: BreakerSnapshot) => void

interface Breaker {
  policy: CircuitBreakerPolicy
  snapshot: BreakerSnapshot
  /** The open period cockatiel chose last (set by the backoff, read when it opens). */
  openMs: number
}

const NAMES: Record<UpstreamName, string> = { infobip: 'Infobip', rapidpro: 'RapidPro' }

/** A failed availability outcome, the only kind that counts toward opening. */
function unavailable(outcome: unknown): boolean {
  const o = outcome as DeliveryOutcome
  return o.kind === 'retry' && o.unavailable === true
}

/**
 * Consecutive failures open the breaker (cockatiel's ConsecutiveBreaker), and so does at once an
 * answer that names a Retry-After: the upstream said when to come back, so nobody else asks before.
 */
class AvailabilityBreaker implements IBreaker {
  readonly #consecutive: ConsecutiveBreaker
  /** Set by the result filter just before cockatiel reports the failure. */
  retryAfterNamed = false

  constructor(threshold: number) {
    this.#consecutive = new ConsecutiveBreaker(threshold)
  }

  get state(): unknown {
    return this.#consecutive.state
  }

  set state(value: unknown) {
    this.#consecutive.state = value as number
  }

  success(state: CircuitState): void {
    this.#consecutive.success()
    void state
  }

  failure(state: CircuitState): boolean {
    const named = this.retryAfterNamed
    this.retryAfterNamed = false
    return this.#consecutive.failure() || named || state === CircuitState.HalfOpen
  }
}

export class UpstreamHealth {
  readonly #breakers: Record<UpstreamName, Breaker>
  readonly #listeners: BreakerListener[] = []
  /** Date.now, as cockatiel reads it: both agree on when a probe may go (and tests' fake timers move both). */
  readonly #now = (): number => Date.now()

  constructor(
    private readonly log: Logger,
    options: BreakerOptions = {},
  ) {
    const make = (upstream: UpstreamName): Breaker => {
      const breaker: Breaker = {
        policy: undefined as unknown as CircuitBreakerPolicy,
        snapshot: { upstream, state: 'closed', since: this.#now() },
        openMs: 0,
      }
      const availability = new AvailabilityBreaker(options.failures ?? 5)
      const failed = (outcome: unknown): boolean => {
        availability.retryAfterNamed = unavailable(outcome) && retryAfterMs({ value: outcome }) > 0
        return unavailable(outcome)
      }
      breaker.policy = circuitBreaker(handleWhenResult(failed), {
        breaker: availability,
        halfOpenAfter: openPeriods(options.openMs ?? 1_000, options.maxOpenMs ?? 5_000, (ms) => {
          breaker.openMs = ms
        }),
      })
      breaker.policy.onStateChange((state) => this.#changed(breaker, state))
      return breaker
    }
    this.#breakers = { infobip: make('infobip'), rapidpro: make('rapidpro') }
  }

  /**
   * One attempt of a delivery to `target`'s upstream, through its breaker. While the breaker is
   * open the attempt is not made: the outcome says to come back when the next probe may go, at no
   * cost of an attempt. A Retry-After is the breaker's to honour (it stays open at least that
   * long), so it is taken off the outcome: each delivery keeps its own modest backoff instead.
   */
  async run(target: DeliveryTarget, attempt: () => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    const upstream = upstreamOf(target)
    if (this.isBlocked(upstream)) {
      // Not even queued behind the probe: one attempt tests the upstream, the others wait for free.
      return this.parked(upstream)
    }
    try {
      const outcome = await this.#breakers[upstream].policy.execute(attempt)
      if (outcome.kind === 'retry' && outcome.unavailable) {
        const { retryAfterSeconds: _honouredByTheBreaker, ...rest } = outcome
        return rest
      }
      return outcome
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        return this.parked(upstream)
      }
      throw error
    }
  }

  /** What a delivery whose upstream is down is told: wait, for free, until the next probe. */
  parked(upstream: UpstreamName): DeliveryOutcome {
    const waitMs = Math.max(0, (this.#breakers[upstream].snapshot.probeAt ?? 0) - this.#now())
    return {
      kind: 'retry',
      reason: `${NAMES[upstream]} is unavailable (circuit open): waiting for it to recover`,
      free: true,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
    }
  }

  /** The upstream is known to be down right now: open, or half-open with its probe under way. */
  isBlocked(upstream: UpstreamName): boolean {
    const { state, probeAt } = this.#breakers[upstream].snapshot
    return state === 'half-open' || (state === 'open' && (probeAt ?? 0) > this.#now())
  }

  /** Upstreams whose open period is over: the next attempt is their probe (the worker claims one). */
  probeReady(): UpstreamName[] {
    return UPSTREAMS.filter((u) => {
      const { state, probeAt } = this.#breakers[u].snapshot
      return state === 'open' && (probeAt ?? 0) <= this.#now()
    })
  }

  /** Targets not worth claiming now: their upstream is blocked (the worker skips them). */
  blockedTargets(): DeliveryTarget[] {
    return UPSTREAMS.filter((u) => this.isBlocked(u)).flatMap((u) => TARGETS[u])
  }

  state(upstream: UpstreamName): BreakerState {
    return this.#breakers[upstream].snapshot.state
  }

  snapshots(): BreakerSnapshot[] {
    return UPSTREAMS.map((u) => ({ ...this.#breakers[u].snapshot }))
  }

  /** Called on every change of state, after it is logged. */
  onChange(listener: BreakerListener): void {
    this.#listeners.push(listener)
  }

  #changed(breaker: Breaker, state: CircuitState): void {
    const { upstream } = breaker.snapshot
    const now = this.#now()
    const name = NAMES[upstream]
    if (state === CircuitState.Open || state === CircuitState.Isolated) {
      const reason = reasonOf(breaker.policy.lastFailure)
      const wasProbing = breaker.snapshot.state === 'half-open'
      breaker.snapshot = {
        upstream,
        state: 'open',
        since: now,
        probeAt: now + breaker.openMs,
        ...(reason ? { reason } : {}),
      }
      // One line per change of state, never one per failed delivery.
      this.log.warn(
        { upstream, breaker: 'open', probeInMs: breaker.openMs, reason },
        wasProbing
          ? `${name} still unavailable: the probe failed, circuit open again`
          : `${name} unavailable: circuit open, deliveries wait for a probe`,
      )
    } else if (state === CircuitState.HalfOpen) {
      breaker.snapshot = { upstream, state: 'half-open', since: now }
      this.log.info({ upstream, breaker: 'half-open' }, `${name}: circuit half-open, one probe is testing it`)
    } else {
      breaker.snapshot = { upstream, state: 'closed', since: now }
      this.log.info({ upstream, breaker: 'closed' }, `${name} answers again: circuit closed, waking its deliveries`)
    }
    for (const listener of this.#listeners) {
      listener({ ...breaker.snapshot })
    }
  }
}

/**
 * How long the breaker stays open each time: `openMs`, doubled after every failed probe up to
 * `maxOpenMs`, and never shorter than the Retry-After of the answer that opened it.
 */
function openPeriods(
  openMs: number,
  maxOpenMs: number,
  chosen: (ms: number) => void,
): { next(context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> } {
  const factory = {
    next(context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> {
      const exponential = Math.min(maxOpenMs, openMs * 2 ** Math.max(0, context.attempt - 1))
      const duration = Math.max(exponential, retryAfterMs(context.result))
      chosen(duration)
      return { duration, next: (c) => factory.next(c) }
    },
  }
  return factory
}

function retryAfterMs(result: FailureReason<unknown>): number {
  if (!('value' in result)) {
    return 0
  }
  const outcome = result.value as DeliveryOutcome
  return outcome.kind === 'retry' ? (outcome.retryAfterSeconds ?? 0) * 1000 : 0
}

function reasonOf(failure: FailureReason<unknown> | undefined): string | undefined {
  if (failure && 'value' in failure) {
    const outcome = failure.value as DeliveryOutcome
    return outcome.kind === 'retry' ? outcome.reason : undefined
  }
  return failure?.error.message
}
