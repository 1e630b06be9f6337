import type { MiddlewareHandler } from 'hono'
import { FORM_ID } from '../../../contract/definition'
import { NotFoundError } from '../../common/errors'

/** What the middleware needs of the form registry: whether an id is configured. */
export interface FormLookup {
  config(id: string): unknown
}

/**
 * Refuses a form id that is malformed or not configured, with the one `form_not_found` answer.
 * Mounted before the limiters so that nothing is counted or limited for forms that do not exist.
 */
export function knownForm(forms: FormLookup): MiddlewareHandler {
  return async function knownForm(c, next) {
    const id = c.req.param('id') ?? ''
    if (!FORM_ID.test(id) || !forms.config(id)) {
      throw new NotFoundError(`There is no form "${id}".`, 'form_not_found')
    }
    await next()
  }
}
