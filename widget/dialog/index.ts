/**
 * The lazy chunk `flowform-dialog.js` (vite.config.ts): the popup and slide-in controller and their
 * style sheet, loaded only for a form mounted in one of those modes (dialog/deferred.ts).
 */
export { createDialog } from './controller'
export { default as css } from '../styles/dialog.css?inline'
