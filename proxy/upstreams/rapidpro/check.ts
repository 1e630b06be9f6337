import type { FormConfig } from '../../config/schema'
import type { RapidproClient } from './client'
import { contactFieldsOf } from './contact'
import { describeUpstreamError } from '../errors'
import { RAPIDPRO_INVALID_TOKEN, RapidproHttpError, RapidproNetworkError } from './errors'
import { findGroup, isUuid } from './groups'
import type { RapidproField, RapidproGroup } from './types'

export interface RapidproCheck {
  name: string
  ok: boolean
  detail: string
}

/** For `npx flowform check`: the token works, and every group and field the forms write exists. */
export async function checkRapidpro(client: RapidproClient, forms: FormConfig[]): Promise<RapidproCheck[]> {
  let groups: RapidproGroup[]
  let fields: RapidproField[]
  try {
    ;[groups, fields] = await Promise.all([client.listGroups(), client.listFields()])
  } catch (error) {
    return [{ name: 'RapidPro token', ok: false, detail: describe(error) }]
  }
  const checks: RapidproCheck[] = [
    {
      name: 'RapidPro token',
      ok: true,
      detail: `accepted (${plural(groups.length, 'group')}, ${plural(fields.length, 'contact field')})`,
    },
  ]
  for (const form of forms) {
    if (!form.rapidpro) {
      continue
    }
    for (const ref of form.rapidpro.groups ?? []) {
      const group = findGroup(groups, ref)
      const name = `RapidPro group "${ref}" (form ${form.id})`
      if (!group) {
        const fix = isUuid(ref) ? 'no group has this UUID' : 'missing: run `npx flowform rapidpro sync`'
        checks.push({ name, ok: false, detail: fix })
      } else if (group.query) {
        checks.push({ name, ok: false, detail: 'a smart (query based) group: contacts cannot be added to it' })
      } else {
        checks.push({ name, ok: true, detail: `exists (${group.uuid})` })
      }
    }
    const missing = contactFieldsOf(form)
      .map((f) => f.key)
      .filter((key) => !fields.some((f) => f.key === key))
    if (missing.length > 0) {
      checks.push({
        name: `RapidPro contact fields (form ${form.id})`,
        ok: false,
        detail: `missing ${missing.join(', ')}: run \`npx flowform rapidpro sync\``,
      })
    }
  }
  return checks
}

/** The shared one-line description, with the setting to look at when the token or the host is wrong. */
function describe(error: unknown): string {
  if (error instanceof RapidproHttpError && (error.status === 401 || error.upstreamCode === RAPIDPRO_INVALID_TOKEN)) {
    const said = `${error.status}${error.upstreamMessage ? `: ${error.upstreamMessage}` : ''}`
    return `RapidPro refused the token (${said}): check RAPIDPRO_TOKEN`
  }
  if (error instanceof RapidproHttpError && error.status === 403) {
    return `RapidPro refused the request (403${error.upstreamMessage ? `: ${error.upstreamMessage}` : ''}): the token's user lacks a permission (an administrator's or editor's token is needed)`
  }
  const text = describeUpstreamError(error)
  return error instanceof RapidproNetworkError ? `${text}; check RAPIDPRO_BASE_URL` : text
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
