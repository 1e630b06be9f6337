import { BREAKER_UPSTREAMS, readBreakerFile } from '../delivery/breaker-file'
import { formatDuration, safeError } from './outbox-format'

/**
 * One line per upstream account: the serving proxy's circuit breaker (delivery/breaker-file.ts).
 * Without a running server (no file, or its process is gone) the state is unknown, not "closed".
 */
export function breakerLines(dataDir: string, now = Date.now()): string[] {
  const file = readBreakerFile(dataDir)
  if (!file) {
    return ['Upstreams: breaker state unknown (no running server has written it in this data directory).']
  }
  return BREAKER_UPSTREAMS.map((upstream) => {
    const breaker = file.upstreams.find((b) => b.upstream === upstream)
    if (!breaker) {
      return `Upstream ${upstream}: unknown.`
    }
    const since = `for ${formatDuration(now - breaker.since)}`
    switch (breaker.state) {
      case 'closed':
        return `Upstream ${upstream}: closed (answering) ${since}.`
      case 'half-open':
        return `Upstream ${upstream}: half-open (one probe is testing it) ${since}.`
      case 'open': {
        const probe =
          breaker.probeAt === undefined || breaker.probeAt <= now
            ? 'now'
            : `in ${formatDuration(breaker.probeAt - now)}`
        const reason = breaker.reason ? `; last error: ${safeError(breaker.reason)}` : ''
        return `Upstream ${upstream}: OPEN (unavailable, deliveries wait) ${since}, next probe ${probe}${reason}.`
      }
    }
  })
}
