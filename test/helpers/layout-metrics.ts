import type { Page } from 'playwright-core'

/**
 * What a visitor would feel of the inline form arriving, measured by the page itself:
 * - `cls`: the sum of every `layout-shift` entry without recent input (at least the page's CLS,
 *   which takes the worst session window), with the moved nodes for a readable failure;
 * - `paintMs`: from the definition's response having arrived (Resource Timing `responseEnd` of
 *   `/v1/forms/<id>`) to the start of the frame that paints the form's first input (a
 *   requestAnimationFrame callback queued when the input is inserted into the shadow root);
 * - `insertMs`: from the same `responseEnd` to the insertion itself;
 * - `framesWaited`: animation frames between the widget getting the definition (its `res.json()`
 *   resolving) and the insertion of the form. 0 means the form went in within the task that
 *   delivered it, so the next frame paints it. Counted, not timed: a busy CPU makes frames late,
 *   not more numerous, while a widget that waits for a frame or a timer shows up as 1 or more.
 */
export interface LayoutMetrics {
  cls: number
  shifts: string[]
  paintMs: number
  insertMs: number
  framesWaited: number
}

/** The parts of a `layout-shift` entry used here (TypeScript's DOM types have no LayoutShift). */
interface LayoutShift extends PerformanceEntry {
  value: number
  hadRecentInput: boolean
  sources?: Array<{ node?: Node | null; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }>
}

interface Recorded {
  cls: number
  shifts: string[]
  inserted: number
  painted: number
  /** Frames rendered so far, by a requestAnimationFrame loop. */
  frames: number
  arrivedFrame: number
  insertedFrame: number
}

declare global {
  interface Window {
    __flowformLayout?: Recorded
  }
}

/**
 * Starts recording for the form `formId`; call before `goto`. An init script runs before the page's own scripts and
 * outside its CSP (DevTools injects it), so the demo's strict policy does not stop it.
 */
export async function watchLayout(page: Page, formId: string): Promise<void> {
  await page.addInitScript((id) => {
    const recorded: Recorded = {
      cls: 0,
      shifts: [],
      inserted: 0,
      painted: 0,
      frames: 0,
      arrivedFrame: -1,
      insertedFrame: -1,
    }
    window.__flowformLayout = recorded
    const tick = (): void => {
      recorded.frames++
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    // The moment the widget has the definition: its JSON read resolving (the widget's own code
    // continues in the same task, after this callback).
    const json = Response.prototype.json
    Response.prototype.json = function (this: Response) {
      const definition = new URL(this.url).pathname === `/v1/forms/${id}`
      return json.call(this).then((body: unknown) => {
        if (definition && recorded.arrivedFrame < 0) {
          recorded.arrivedFrame = recorded.frames
        }
        return body
      })
    }
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as LayoutShift[]) {
        if (entry.hadRecentInput) {
          continue
        }
        recorded.cls += entry.value
        for (const source of entry.sources ?? []) {
          const node = source.node as Element | null | undefined
          const name = node
            ? `${node.nodeName.toLowerCase()}${node.className ? `.${String(node.className)}` : ''}`
            : '?'
          recorded.shifts.push(`${entry.value.toFixed(4)} ${name} y ${source.previousRect.y}→${source.currentRect.y}`)
        }
      }
    }).observe({ type: 'layout-shift', buffered: true })

    // The host arrives with its shadow root already attached; watch that root for the first input.
    const watchRoot = (root: ShadowRoot): void => {
      new MutationObserver((_, observer) => {
        if (root.querySelector('input')) {
          observer.disconnect()
          recorded.inserted = performance.now()
          recorded.insertedFrame = recorded.frames
          requestAnimationFrame(() => {
            recorded.painted = performance.now()
          })
        }
      }).observe(root, { childList: true, subtree: true })
    }
    new MutationObserver((_, observer) => {
      const root = document.querySelector(`[data-flowform="${id}"]`)?.shadowRoot
      if (root) {
        observer.disconnect()
        watchRoot(root)
      }
    }).observe(document, { childList: true, subtree: true })
  }, formId)
}

/** Waits for the form's input to be painted and the shifts to be reported, then reads the numbers. */
export async function readLayout(page: Page, formId: string): Promise<LayoutMetrics> {
  await page.waitForFunction(() => (window.__flowformLayout?.painted ?? 0) > 0)
  // Two more frames and a pause: layout-shift entries are delivered after the frame they happened in.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 200))),
      ),
  )
  return page.evaluate((id) => {
    const recorded = window.__flowformLayout as Recorded
    const path = `/v1/forms/${id}`
    const timing = performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === path) as
      PerformanceResourceTiming | undefined
    if (!timing) {
      throw new Error(`no Resource Timing entry for ${path}`)
    }
    return {
      cls: recorded.cls,
      shifts: recorded.shifts,
      paintMs: recorded.painted - timing.responseEnd,
      insertMs: recorded.inserted - timing.responseEnd,
      framesWaited: recorded.insertedFrame - recorded.arrivedFrame,
    }
  }, formId)
}
