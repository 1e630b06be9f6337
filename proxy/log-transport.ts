import type { DestinationStream } from 'pino'

/**
 * Where the server's log lines go: on a terminal, pino-pretty's readable lines (local time, level,
 * message, then the fields); otherwise (systemd, Docker, a pipe, a file) one JSON object per line
 * for a log collector. pino-pretty is loaded only for a terminal, and runs in this process rather
 * than as a pino transport thread: a terminal's few lines do not need one, and nothing is lost at
 * exit because it writes synchronously.
 */
export async function logDestination(
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<DestinationStream | undefined> {
  if (!out.isTTY) {
    return undefined
  }
  const { default: pretty, isColorSupported } = await import('pino-pretty')
  return pretty({
    destination: out === process.stdout ? 1 : out,
    sync: true,
    colorize: out === process.stdout && isColorSupported,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  })
}
