/**
 * What a command opened upstream and must end before the process exits: IBSSO sessions, which
 * Infobip asks clients to destroy (`DELETE /auth/1/session`) rather than leave open; six runs of a
 * command would otherwise leave six sessions. A tiny module on purpose: runCli imports it before it
 * knows the command, and `flowform --help` must stay fast.
 */
const open: (() => Promise<void>)[] = []

export function closeOnExit(close: () => Promise<void>): void {
  open.push(close)
}

/** Ends everything registered, best effort: a failure to end one must not hide the command's result. */
export async function closeAll(): Promise<void> {
  const closing = open.splice(0)
  await Promise.all(closing.map((close) => close().catch(() => {})))
}
