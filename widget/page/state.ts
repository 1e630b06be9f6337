/**
 * What the forms on one page share, for as long as the page is loaded. It lives in the embed's
 * registry (one per page: a second copy of the bundle goes through the first one's) and is handed
 * to whatever needs it, so no helper keeps state of its own.
 */
export interface PageState {
  /** Views counted on this page load, by endpoint and form: a remount must not count again. */
  views: Set<string>
  /** Forms whose trigger fired on this page load, by endpoint and form: a remount does not fire it again. */
  triggered: Set<string>
  /** Open popups: page scroll is locked while there is one, and the page's own value comes back after the last. */
  locks: number
  overflow: string
  /** Parsed sheets by their text (the widget's, the dialog chunk's), shared by every mounted form. */
  sheets: Map<string, CSSStyleSheet>
}

export function createPageState(): PageState {
  return { views: new Set(), triggered: new Set(), locks: 0, overflow: '', sheets: new Map() }
}
