import type { PublicChallenge } from '../../contract/definition'
import { altchaAnswer } from './altcha'
import { drawnCheck, loadScript, recaptchaToken } from './hosted'

/**
 * The lazy chunk `flowform-challenge.js` (vite.config.ts): loaded only for a form whose definition
 * names a challenge, so the bytes every other shop page loads stay in flowform.js's budget.
 */

export interface SolverContext {
  /** `GET /v1/forms/:id/challenge` on the proxy (ALTCHA). */
  challengeUrl: string
  /** The widget's host element: a drawn check goes into a light-DOM child slotted into the form. */
  host: Element
  /** The page's CSP nonce, for the provider's script. */
  nonce?: string | undefined
}

export interface Solver {
  /** Starts the work early (ALTCHA: when the person first focuses the form), to be ready by the click. */
  warm(): void
  /** The answer for one submission; rejects when there is none within a couple of minutes. */
  answer(): Promise<string>
  /** The answer went to the proxy (spent): the next submission needs a new one. */
  used(): void
  destroy(): void
}

/** Long enough to solve an interactive check, short enough that a stuck one ends in a message. */
const ANSWER_MS = 120_000

function within<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('challenge timed out')), ANSWER_MS)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}

const ignore = (): void => undefined

export function createSolver(challenge: PublicChallenge, at: SolverContext): Solver {
  const { provider, siteKey = '', script = '', action = 'signup' } = challenge
  if (provider === 'altcha') {
    const stop = new AbortController()
    let pending: Promise<string> | null = null
    const answer = (): Promise<string> =>
      (pending ??= altchaAnswer(at.challengeUrl, stop.signal).catch((error: unknown) => {
        // The next attempt fetches a new challenge.
        pending = null
        throw error
      }))
    return {
      warm: () => void answer().catch(ignore),
      answer: () => within(answer()),
      used: () => {
        pending = null
      },
      destroy: () => stop.abort(),
    }
  }
  if (provider === 'recaptcha') {
    // Loaded with the form, not at the click: v3 scores what it saw of the visit.
    loadScript(script, at.nonce).catch(ignore)
    return {
      warm: ignore,
      answer: () => within(recaptchaToken(siteKey, script, action, at.nonce)),
      used: ignore,
      destroy: ignore,
    }
  }
  const box = document.createElement('div')
  box.slot = 'challenge'
  at.host.append(box)
  const check = drawnCheck(provider, siteKey, script, box, at.nonce)
  check.catch(ignore)
  return {
    warm: ignore,
    answer: () => within(check.then((drawn) => drawn.token())),
    used: () => void check.then((drawn) => drawn.reset(), ignore),
    destroy: () => {
      void check.then((drawn) => drawn.remove(), ignore)
      box.remove()
    },
  }
}
