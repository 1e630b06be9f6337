/**
 * The ALTCHA proof of work (v2 protocol, `PBKDF2/SHA-256`, as proxy/signup/bots/altcha.ts issues
 * it): try counters until the derived key starts with the challenge's prefix, then send the
 * challenge and the solution back, base64 of JSON, as the ALTCHA widget does.
 *
 * Written here rather than taken from altcha-lib: the library's solver is for Node (its key
 * derivation imports node:crypto), and the browser needs only this loop. Each try is one native
 * `crypto.subtle.deriveBits` call: the iterations run off the main thread, and every try resumes in
 * a task of its own, so the page stays responsive however long the search takes. No eval, no
 * worker from a blob: a strict CSP allows it.
 */

interface AltchaChallenge {
  parameters: {
    algorithm: string
    nonce: string
    salt: string
    cost: number
    keyLength?: number
    keyPrefix: string
  }
  signature?: string
}

const bytes = (hex: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array((hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16)))

const hex = (data: ArrayBuffer): string =>
  [...new Uint8Array(data)].map((b) => b.toString(16).padStart(2, '0')).join('')

/** The base64 payload for `challenge`; throws when the challenge is not one this solver knows. */
export async function solveAltcha(challenge: AltchaChallenge, signal?: AbortSignal): Promise<string> {
  const { algorithm, nonce, salt, cost, keyLength = 32, keyPrefix } = challenge.parameters
  if (algorithm !== 'PBKDF2/SHA-256' || !/^[0-9a-f]+$/i.test(keyPrefix)) {
    throw new Error(`unsupported ALTCHA challenge (${algorithm})`)
  }
  const prefix = keyPrefix.toLowerCase()
  const start = bytes(nonce)
  // The password is the nonce followed by the counter as a big-endian uint32 (altcha-lib's `uint32` mode).
  const password = new Uint8Array(start.length + 4)
  password.set(start)
  const view = new DataView(password.buffer)
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations: cost }
  for (let counter = 0; counter <= 0xffffffff; counter++) {
    signal?.throwIfAborted()
    view.setUint32(start.length, counter)
    const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
    const derivedKey = hex(await crypto.subtle.deriveBits(params, key, keyLength * 8))
    if (derivedKey.startsWith(prefix)) {
      return btoa(JSON.stringify({ challenge, solution: { counter, derivedKey } }))
    }
  }
  throw new Error('ALTCHA challenge has no solution')
}

/** Fetches a fresh challenge for the form from the proxy and solves it. */
export async function altchaAnswer(challengeUrl: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(challengeUrl, { signal: signal ?? null })
  if (!res.ok) {
    throw new Error(`ALTCHA challenge: HTTP ${res.status}`)
  }
  return solveAltcha((await res.json()) as AltchaChallenge, signal)
}
