import proxyaddr from 'proxy-addr'

/**
 * TRUST_PROXY (contract section 2): `0` nobody (the socket's peer is the client), a number of
 * trusted hops, or the addresses, CIDRs and proxy-addr names (`loopback`, `linklocal`,
 * `uniquelocal`) of the proxies in front. Hops need no parsing here; the list is checked by
 * proxy-addr itself, so what starts is exactly what the middleware will use.
 */
export type TrustProxy = number | readonly string[]

const MAX_TRUSTED_HOPS = 100

/** The parsed value, or a message saying what is wrong (names the bad entry, never guesses). */
export function parseTrustProxy(raw: string): TrustProxy | string {
  const value = raw.trim()
  // `true`/`false` were accepted before hop counts; `true` meant one proxy in front.
  if (value === 'false') {
    return 0
  }
  if (value === 'true') {
    return 1
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return hops <= MAX_TRUSTED_HOPS ? hops : `must be at most ${MAX_TRUSTED_HOPS} hops (got ${value})`
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (entries.length === 0) {
    return 'must be 0, a number of trusted hops, or a comma list of addresses or CIDRs'
  }
  for (const entry of entries) {
    try {
      proxyaddr.compile(entry)
    } catch {
      return `"${entry.slice(0, 60)}" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal (TRUST_PROXY is 0, a number of trusted hops, or a comma list of those)`
    }
  }
  return entries
}
