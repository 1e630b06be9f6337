import { boot } from './embed/script-tag'

// The IIFE entry of dist/flowform.js: no exports, so the bundle adds only `window.Flowform`.
boot()
