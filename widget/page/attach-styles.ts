import widgetCss from '../styles/widget.css?inline'
import type { PageState } from './state'

function canAdopt(root: ShadowRoot): boolean {
  return 'adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype
}

/**
 * Puts the widget's styles (or a lazy chunk's, `css`) into its shadow root. A constructed sheet (parsed once per page) needs
 * no CSP exception for inline styles; where it is missing, a `<style>` carries the page's nonce.
 */
export function attachStyles(page: PageState, root: ShadowRoot, nonce?: string, css = widgetCss): void {
  if (canAdopt(root)) {
    try {
      let sheet = page.sheets.get(css)
      if (!sheet) {
        sheet = new CSSStyleSheet()
        sheet.replaceSync(css)
        // Kept only once parsed: a sheet that failed is tried again by the next form.
        page.sheets.set(css, sheet)
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
      return
    } catch {
      // Falls back to a <style>.
    }
  }
  const style = document.createElement('style')
  if (nonce) {
    style.setAttribute('nonce', nonce)
  }
  style.textContent = css
  root.append(style)
}
