import { createHash } from 'node:crypto'
import { UpstreamCallError } from '../errors'

/**
 * RapidPro's own throttle, kept on this side so that a burst of signups spends no calls on 429s:
 * temba's OrgUserRateThrottle counts per workspace (not per token) in two budgets, contacts.json
 * ("v2.contacts") and every other endpoint together ("v2": contact_actions, fields, groups), each
 * 3,600 an hour by default (settings DEFAULT_THROTTLE_RATES; a workspace may have other rates).
 *
 * A sliding log rather than rate-limiter-flexible: DRF's SimpleRateThrottle keeps the times of the
 * requests of the last hour, and the library's fixed windows would let twice the budget through
 * across a window boundary, which RapidPro then refuses. 3,600 timestamps per budget is small.
 */

export type RapidproScope = 'contacts' | 'other'

export interface RapidproRates {
  /** Requests per hour to contacts.json. */
  contacts: number
  /** Requests per hour to every other endpoint. */
  other: number
}

export const RAPIDPRO_DEFAULT_RATES: RapidproRates = { contacts: 3_600, other: 3_600 }
const HOUR_MS = 3_600_000

/** The workspace's budget is spent: the call was not made and costs no delivery attempt. */
export class RapidproThrottledError extends UpstreamCallError {
  override name = 'RapidproThrottledError' as const
  constructor(
    readonly scope: RapidproScope,
    waitMs: number,
  ) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000))
    super('rapidpro', `RapidPro's ${scope === 'contacts' ? 'contacts' : 'API'} budget is spent for ${seconds} s`, {
      transient: true,
      retryAfterSeconds: seconds,
      heldBack: true,
    })
  }
}

class Budget {
  /** Start times within the last hour, oldest first. */
  starts: number[] = []
  /** RapidPro answered 429 with this Retry-After: no call in this scope before then. */
  pausedUntil = 0
}

/** One workspace's two budgets. */
class Workspace {
  readonly budgets: Record<RapidproScope, Budget> = { contacts: new Budget(), other: new Budget() }
}

/** Budgets of every workspace the process talks to; clients of one workspace share them. */
export class RapidproThrottle {
  readonly #workspaces = new Map<string, Workspace>()
  readonly #rates: RapidproRates
  readonly #now: () => number

  constructor(options: { rates?: Partial<RapidproRates>; now?: () => number } = {}) {
    this.#rates = { ...RAPIDPRO_DEFAULT_RATES, ...options.rates }
    this.#now = options.now ?? Date.now
  }

  /** Books one call in the scope's budget, or throws RapidproThrottledError when it is spent. */
  take(workspace: string, scope: RapidproScope): void {
    const budget = this.#workspace(workspace).budgets[scope]
    const now = this.#now()
    const since = now - HOUR_MS
    let expired = 0
    while (expired < budget.starts.length && (budget.starts[expired] ?? 0) <= since) {
      expired += 1
    }
    if (expired > 0) {
      budget.starts.splice(0, expired)
    }
    if (budget.pausedUntil > now) {
      throw new RapidproThrottledError(scope, budget.pausedUntil - now)
    }
    if (budget.starts.length >= this.#rates[scope]) {
      throw new RapidproThrottledError(scope, (budget.starts[0] ?? now) + HOUR_MS - now)
    }
    budget.starts.push(now)
  }

  /**
   * RapidPro answered 429 (its budget is spent by another client of the workspace, or its rates are
   * lower than ours): every delivery in this scope waits out the Retry-After, held back without
   * spending an attempt, instead of each spending one call to learn the same 429.
   */
  pause(workspace: string, scope: RapidproScope, waitMs: number): void {
    const budget = this.#workspace(workspace).budgets[scope]
    // At most RapidPro's own window: a Retry-After far beyond it (a proxy in front, a date in the
    // far future) must not stop the workspace's deliveries until a restart.
    budget.pausedUntil = Math.max(budget.pausedUntil, this.#now() + Math.min(waitMs, HOUR_MS))
  }

  /**
   * The workspace behind a provisional key became known (X-Temba-Workspace): from now on both
   * keys count in one budget, with the calls already booked under either.
   */
  alias(provisional: string, workspace: string): void {
    const known = this.#workspaces.get(workspace)
    const booked = this.#workspaces.get(provisional)
    if (known && booked && known !== booked) {
      for (const scope of ['contacts', 'other'] as const) {
        const into = known.budgets[scope]
        into.starts = [...into.starts, ...booked.budgets[scope].starts].sort((a, b) => a - b)
        into.pausedUntil = Math.max(into.pausedUntil, booked.budgets[scope].pausedUntil)
      }
    }
    const merged = known ?? booked ?? new Workspace()
    this.#workspaces.set(workspace, merged)
    this.#workspaces.set(provisional, merged)
  }

  #workspace(key: string): Workspace {
    let workspace = this.#workspaces.get(key)
    if (!workspace) {
      workspace = new Workspace()
      this.#workspaces.set(key, workspace)
    }
    return workspace
  }
}

/** The budget key before RapidPro has named the workspace: the host and a hash of the token, never the token. */
export function provisionalWorkspace(baseUrl: string, token: string): string {
  return `${baseUrl}#${createHash('sha256').update(token).digest('hex').slice(0, 16)}`
}

/** The process-wide throttle every client shares unless given its own (tests). */
export const sharedRapidproThrottle = new RapidproThrottle()
