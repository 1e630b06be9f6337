// Vite keeps only this one key of package.json in the bundle.
export { version as VERSION } from '../../package.json'
