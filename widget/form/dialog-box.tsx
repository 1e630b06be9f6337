// JSX as createElement (h) calls: preact/jsx-runtime would cost the bundle some 150 bytes of gzip.
/** @jsxRuntime classic */
/** @jsx h */
import type { ComponentChildren, JSX } from 'preact'
import { h } from 'preact'
import type { DialogController } from '../dialog/controller'
import type { Translate } from '../../contract/texts'

interface DialogBoxProps {
  /** `popup`: a modal `<dialog>`; `slide-in`: a popover `<div>`. Also its part name, next to `dialog`. */
  mode: string
  label: string
  lang?: string | undefined
  t: Translate
  /** Where every event of the box goes: the component only draws. */
  dialog: DialogController
  children: ComponentChildren
}

/**
 * The box of a popup (a modal `<dialog>`) or a slide-in (a popover `<div>`, which starts hidden;
 * the controller switches it), both in the top layer: out of reach of the page's transforms,
 * overflow and z-index.
 */
export function DialogBox({ mode, label, lang, t, dialog, children }: DialogBoxProps): JSX.Element {
  const modal = mode === 'popup'
  const Box = modal ? 'dialog' : 'div'
  return (
    <Box
      role="dialog"
      aria-modal={modal}
      aria-label={label}
      tabIndex={-1}
      lang={lang}
      class={modal ? 'dialog' : 'dialog slide'}
      part={`dialog ${mode}`}
      popover={modal ? undefined : 'manual'}
      hidden={!modal}
      // The controller's handlers are closures: they need no `this`.
      onKeyDown={dialog.onKey}
      onClose={dialog.onClose}
      onPointerDown={dialog.onPointerDown}
      onClick={dialog.onClick}
    >
      <button type="button" class="close" part="close" aria-label={t('close')} onClick={() => dialog.close()}>
        ×
      </button>
      {children}
    </Box>
  )
}
