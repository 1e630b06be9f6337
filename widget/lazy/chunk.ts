/**
 * Parts only some forms need are files of their own beside flowform.js (`flowform-<name>.js`,
 * built by vite.config.ts as ES modules), loaded with import() from where this bundle came from:
 * the same origin the page's CSP already allows for flowform.js, and the bundle's own version.
 */

/** The lazy chunks by name (vite.config.ts LAZY_CHUNKS); each caller names the module type it expects. */
export type ChunkName = 'challenge' | 'dialog' | 'submit'

/**
 * Where this copy of the bundle was loaded from, read while it first runs (currentScript is ours
 * then, unless the widget was bundled into a shop's own script: that URL is not ours to build on).
 */
const script = (globalThis.document?.currentScript as HTMLScriptElement | null)?.src
const own = script?.includes('flowform') ? script : ''

/** `endpoint` (the proxy) stands in when the bundle's own URL is unknown (bundled into a shop's script). */
export function loadChunk<T>(name: ChunkName, endpoint: string): Promise<T> {
  return import(/* @vite-ignore */ new URL(`flowform-${name}.js`, own || `${endpoint}/`).href) as Promise<T>
}
