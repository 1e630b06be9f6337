// What tests that drive real processes and servers wait with: a free loopback port, and a
// condition polled until it holds (bounded). Processes on their own clocks cannot be driven by
// fake timers, so these tests wait for what they can observe, never for a fixed time.
import { createServer } from 'node:net'

/** A loopback port nothing listens on right now (PORT=0 would pick one, but the test must know it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Resolves when `check` holds, asking every `everyMs`; rejects naming `what` after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
