/**
 * The embeds log misconfiguration with a `[flowform]` prefix and never throw: an exception here
 * would land in the shop's page.
 */
export function fail(message: string): void {
  console.error(message.startsWith('[flowform]') ? message : `[flowform] ${message}`)
}

/** Runs `run`, turning anything it throws into a console error: the shop's page must not see it. */
export function safely(run: () => void): void {
  try {
    run()
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
}
