import type { DialogController, DialogOptions } from './controller'
import type * as DialogChunk from './index'
import { loadChunk } from '../lazy/chunk'
import { attachStyles } from '../page/attach-styles'

/**
 * A DialogController at once, the real one (and its style sheet) from the dialog chunk when it has
 * loaded: calls made before (arm, open from `Flowform.open`, loaded) are replayed in order. The
 * box's events need no replay: it is closed, and hidden, until the real controller opens it.
 */
export function deferredDialog(options: DialogOptions, nonce?: string): DialogController {
  let real: DialogController | undefined
  const queued: ((dialog: DialogController) => void)[] = []
  const call = (run: (dialog: DialogController) => void): void => {
    if (real) {
      run(real)
    } else {
      queued.push(run)
    }
  }
  loadChunk<typeof DialogChunk>('dialog', options.endpoint).then(
    ({ createDialog, css }) => {
      const root = options.box()?.getRootNode()
      if (root instanceof ShadowRoot) {
        attachStyles(options.page, root, nonce, css)
      }
      real = createDialog(options)
      for (const run of queued) {
        run(real)
      }
    },
    () => console.error('[flowform] the popup could not be loaded'),
  )
  return {
    arm: () => call((dialog) => dialog.arm()),
    loaded: () => call((dialog) => dialog.loaded()),
    destroy: () => call((dialog) => dialog.destroy()),
    open: () => call((dialog) => dialog.open()),
    close: (quiet) => call((dialog) => dialog.close(quiet)),
    on: {
      onKeyDown: (event) => real?.on.onKeyDown(event),
      onClose: () => real?.on.onClose(),
      onPointerDown: (event) => real?.on.onPointerDown(event),
      onClick: (event) => real?.on.onClick(event),
    },
  }
}
