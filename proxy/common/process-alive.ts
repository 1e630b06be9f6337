/**
 * Whether a process still runs, for files a running server leaves in its data directory
 * (breakers.json, sandbox.json): a file whose writer is gone says nothing about now.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
