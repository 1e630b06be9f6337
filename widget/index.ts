import { VERSION } from './embed/version'

/**
 * The library API: `mount()` a form into any element, `toggle()` the mounted forms by id. The
 * script tag and the custom element (embed/) go through the same mount().
 */

export { HOST_NAME, mount, toggle } from './embed/mount'
export type { FlowformHandle } from './embed/mount'
export type { MountOptions, Mode, Theme, Trigger } from './options/table'
export type { PublicForm, PublicField, SubmissionValues } from '../contract/definition'

export const version: string = VERSION
