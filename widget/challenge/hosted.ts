/**
 * The hosted challenges: Cloudflare Turnstile and hCaptcha (a check drawn in the form, explicit
 * rendering) and reCAPTCHA v3 (nothing drawn, a token per submission). The provider's script is
 * the one the definition names (`challenge.script`, overridable on the proxy for a mirror or a
 * test's loopback fake), added to the page only for a form that uses it.
 */

/** Turnstile's and hCaptcha's shared API (`turnstile.render`, `hcaptcha.render`, …). */
interface DrawnApi {
  render(
    box: HTMLElement,
    options: {
      sitekey: string
      callback: (token: string) => void
      'expired-callback': () => void
      'error-callback': () => void
    },
  ): string
  reset(id: string): void
  remove(id: string): void
}

interface RecaptchaApi {
  ready(run: () => void): void
  execute(siteKey: string, options: { action: string }): Promise<string>
}

type ProviderGlobals = { turnstile?: DrawnApi; hcaptcha?: DrawnApi; grecaptcha?: RecaptchaApi }

/** One script element per URL on the page, however many forms ask for it. */
const scripts = new Map<string, Promise<void>>()

export function loadScript(src: string, nonce?: string): Promise<void> {
  let loaded = scripts.get(src)
  if (!loaded) {
    loaded = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script')
      script.src = src
      script.async = true
      if (nonce) {
        script.nonce = nonce
      }
      script.onload = () => resolve()
      script.onerror = () => {
        // A later form (or a retry) may try again: the network may be back.
        scripts.delete(src)
        reject(new Error(`could not load ${src}`))
      }
      document.head.append(script)
    })
    scripts.set(src, loaded)
  }
  return loaded
}

/** The current token of a drawn check, waited for when the person has not solved it yet. */
export interface TokenBox {
  token(): Promise<string>
  /** The token was spent: the check starts over for the next submission. */
  reset(): void
  remove(): void
}

/**
 * Draws Turnstile or hCaptcha into `box` (an element in the page's own DOM: the providers' scripts
 * look their iframes up there, not in our shadow root) and hands out its tokens.
 */
export async function drawnCheck(
  provider: 'turnstile' | 'hcaptcha',
  siteKey: string,
  script: string,
  box: HTMLElement,
  nonce?: string,
): Promise<TokenBox> {
  await loadScript(script, nonce)
  const api = (window as ProviderGlobals)[provider]
  if (!api) {
    throw new Error(`${provider} did not start`)
  }
  let current: string | null = null
  let waiting: { resolve: (token: string) => void; reject: (error: Error) => void }[] = []
  const settle = (token: string | null, error?: Error) => {
    current = token
    for (const waiter of waiting) {
      if (token) {
        waiter.resolve(token)
      } else if (error) {
        waiter.reject(error)
      }
    }
    if (token || error) {
      waiting = []
    }
  }
  const id = api.render(box, {
    sitekey: siteKey,
    callback: (token) => settle(token),
    'expired-callback': () => settle(null),
    'error-callback': () => settle(null, new Error(`${provider} failed`)),
  })
  return {
    token: () =>
      current
        ? Promise.resolve(current)
        : new Promise<string>((resolve, reject) => {
            waiting.push({ resolve, reject })
          }),
    reset() {
      current = null
      api.reset(id)
    },
    remove() {
      settle(null, new Error(`${provider} removed`))
      api.remove(id)
    },
  }
}

/** A reCAPTCHA v3 token for `action`: fresh for each submission (they expire after two minutes). */
export async function recaptchaToken(siteKey: string, script: string, action: string, nonce?: string): Promise<string> {
  await loadScript(script, nonce)
  const api = (window as ProviderGlobals).grecaptcha
  if (!api) {
    throw new Error('reCAPTCHA did not start')
  }
  return new Promise<string>((resolve, reject) =>
    api.ready(() => api.execute(siteKey, { action }).then(resolve, reject)),
  )
}
