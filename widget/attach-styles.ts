import css from './styles.css?inline'

/** One parsed sheet shared by every mounted form on the page. */
let shared: CSSStyleSheet | undefined

function canAdopt(root: ShadowRoot): boolean {
  return 'adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype
}

/**
 * Puts the widget's styles into its shadow root. A constructed sheet needs no CSP exception for
 * inline styles; where it is missing, a `<style>` carries the page's nonce instead.
 */
export function attachStyles(root: ShadowRoot, nonce?: string): void {
  if (canAdopt(root)) {
    try {
      if (!shared) {
        shared = new CSSStyleSheet()
        shared.replaceSync(css)
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, shared]
      return
    } catch {
      shared = undefined
    }
  }
  const style = document.createElement('style')
  if (nonce) {
    style.setAttribute('nonce', nonce)
  }
  style.textContent = css
  root.append(style)
}
