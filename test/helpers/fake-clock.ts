import { vi } from 'vitest'

/**
 * Runs vitest's fake clock forward, `stepMs` at a time, until `work` has settled, and returns its
 * result. For work that waits on timers of its own (batching windows, account limiter, report
 * polls, request deadlines) under `vi.useFakeTimers()`: each step runs the timers due and the
 * promises they release, so the outcome does not depend on how busy the machine is.
 */
export async function advancedUntil<T>(work: Promise<T>, stepMs = 100, maxMs = 600_000): Promise<T> {
  let done = false
  const settled = work.finally(() => {
    done = true
  })
  for (let ms = 0; !done; ms += stepMs) {
    if (ms > maxMs) {
      throw new Error(`still not settled after ${maxMs} ms of fake time`)
    }
    await vi.advanceTimersByTimeAsync(stepMs)
  }
  return settled
}

/**
 * Runs vitest's fake clock forward, `stepMs` at a time, while `pending()` holds (at most `maxMs` of
 * fake time: then the caller's own `expect` says what is missing).
 */
export async function advancedWhile(pending: () => boolean, stepMs = 100, maxMs = 600_000): Promise<void> {
  for (let ms = 0; pending() && ms <= maxMs; ms += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs)
  }
}
