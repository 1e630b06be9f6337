import type { RunningServer } from './server'
import type { Logger } from './common/log'

/** How long a stop may take before the process gives up on it: the server's grace, and a margin. */
export const STOP_GRACE_MS = 10_000
export const STOP_DEADLINE_MS = STOP_GRACE_MS + 5_000

/**
 * SIGTERM (systemd, Docker, `kill`, npm forwarding its own) or SIGINT (Ctrl-C) stops the server:
 * no new connections, requests in progress get their answer, then the worker and the outbox close.
 * Ctrl-C in a terminal reaches this process twice (directly and forwarded by npm), so later signals
 * do not start a second stop; a stop that hangs past the deadline exits with 1.
 */
export function stopOnSignals(
  server: Pick<RunningServer, 'close'>,
  log: Logger,
  options: { exit?: (code: number) => void; signals?: NodeJS.EventEmitter } = {},
): void {
  const { exit = (code: number) => process.exit(code), signals = process } = options
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      safely(() => log.info({ signal }, 'already shutting down'))
      return
    }
    stopping = true
    // The stop is under way before anything is logged: a log write that fails (a closed terminal)
    // must not leave the server running.
    setTimeout(() => {
      safely(() => log.error({ signal }, 'shutdown took too long; exiting'))
      exit(1)
    }, STOP_DEADLINE_MS).unref()
    const closed = server.close(STOP_GRACE_MS)
    safely(() => log.info({ signal }, 'shutting down'))
    closed.then(
      () => {
        safely(() => log.info('stopped'))
        exit(0)
      },
      (error: unknown) => {
        safely(() => log.error({ err: error }, 'shutdown failed'))
        exit(1)
      },
    )
  }
  signals.on('SIGINT', stop)
  signals.on('SIGTERM', stop)
}

function safely(write: () => void): void {
  try {
    write()
  } catch {
    // Nowhere left to say it; the exit code still tells.
  }
}
