// Injected faults, the one test lever both fakes share: `failNext(match, response, times)` queues
// an answer (a status, a body, a delay, or a refused connection) for the next matching calls, so
// that a test means the same thing whichever upstream it scripts.

export interface FaultMatch {
  method?: string
  /** Exact pathname, or a RegExp tested against the pathname. */
  path: RegExp | string
}

export type FaultResponse =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** The fetch promise rejects with a TypeError, as a refused connection would. */
  | { networkError: true; delayMs?: number }

interface Fault {
  match: FaultMatch
  response: FaultResponse
  remaining: number
}

export class FaultQueue {
  #faults: Fault[] = []

  add(match: FaultMatch, response: FaultResponse, times: number): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`times must be a positive integer, got ${times}`)
    }
    this.#faults.push({ match, response, remaining: times })
  }

  /** The first scripted fault for this request, consuming one use of it. */
  take(method: string, path: string): FaultResponse | undefined {
    const fault = this.#faults.find(({ match }) => {
      const methodOk = match.method === undefined || match.method.toUpperCase() === method
      const pathOk = typeof match.path === 'string' ? match.path === path : match.path.test(path)
      return methodOk && pathOk
    })
    if (!fault) {
      return undefined
    }
    fault.remaining -= 1
    if (fault.remaining === 0) {
      this.#faults = this.#faults.filter((f) => f !== fault)
    }
    return fault.response
  }

  clear(): void {
    this.#faults = []
  }
}

function faultToResponse(fault: Exclude<FaultResponse, { networkError: true }>): Response {
  const { status, body, headers = {} } = fault
  if (body === undefined) {
    return new Response(null, { status, headers })
  }
  if (typeof body === 'string') {
    return new Response(body, { status, headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers } })
  }
  // Infobip's JSON content type; RapidPro clients read any JSON the same way.
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
  })
}

/** Resolves after `ms`, or rejects as fetch does when the caller aborts meanwhile. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** What a fake throws for a `{ networkError: true }` fault: what global fetch throws when a connection fails. */
class InjectedNetworkError extends TypeError {
  constructor() {
    super('fetch failed')
  }
}

/**
 * The injected answer for this call, if one was queued: after its delay, a response, or a thrown
 * network error. Shared by the sandbox fakes so that `failNext` means the same everywhere.
 */
export async function injectedFault(
  faults: FaultQueue,
  method: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<Response | null> {
  const fault = faults.take(method, path)
  if (!fault) {
    return null
  }
  if (fault.delayMs !== undefined) {
    await sleep(fault.delayMs, signal)
  }
  if ('networkError' in fault) {
    throw new InjectedNetworkError()
  }
  return faultToResponse(fault)
}

/**
 * Whether an error thrown while answering must reach the caller as fetch would throw it (an
 * injected network error, or the caller's own abort) rather than become a 500.
 */
export function passesThrough(error: unknown, signal: AbortSignal): boolean {
  return error instanceof InjectedNetworkError || signal.aborted
}

// The Moments rejection lever lives with the Infobip fake's state (no folder cycle); named here
// with the other injected faults.
export { MOMENTS_REJECTIONS, type MomentsRejection, RejectionQueue } from './infobip/rejections'
