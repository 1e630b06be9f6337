import type { FormConfig } from '../../config/schema'
import type { RapidproClient } from './client'
import { contactFieldsOf } from './contact'
import { findGroup, isUuid } from './groups'
import { fieldNameFor } from './keys'

/**
 * The config asks for something `sync` must not or cannot create; nothing was changed. Not an
 * UpstreamCallError on purpose: RapidPro answered, the operator's config is what is wrong.
 */
export class RapidproSetupError extends Error {
  override name = 'RapidproSetupError' as const
}

/**
 * Creates the contact fields and groups a form's `rapidpro` block needs and RapidPro lacks; running
 * it again changes nothing. Groups given as UUIDs are only checked: a UUID cannot be created.
 */
export async function syncRapidpro(
  client: RapidproClient,
  form: FormConfig,
): Promise<{ createdFields: string[]; createdGroups: string[]; existingFields: string[]; existingGroups: string[] }> {
  const result = {
    createdFields: [] as string[],
    createdGroups: [] as string[],
    existingFields: [] as string[],
    existingGroups: [] as string[],
  }
  const config = form.rapidpro
  if (!config) {
    return result
  }
  const [fields, groups] = await Promise.all([client.listFields(), client.listGroups()])
  const refs = [...new Set(config.groups ?? [])]
  // Everything that cannot work is reported before anything is created.
  const problems: string[] = []
  for (const ref of refs) {
    const group = findGroup(groups, ref)
    if (!group && isUuid(ref)) {
      problems.push(`no RapidPro group has the UUID ${ref} (groups given by UUID are not created)`)
    } else if (group?.query) {
      problems.push(`RapidPro group "${group.name}" is a smart group (query based); contacts cannot be added to it`)
    }
  }
  if (problems.length > 0) {
    throw new RapidproSetupError(`Form "${form.id}": ${problems.join('; ')}`)
  }
  for (const { key, type } of contactFieldsOf(form)) {
    if (fields.some((f) => f.key === key)) {
      result.existingFields.push(key)
      continue
    }
    const created = await client.createField(fieldNameFor(key), type)
    result.createdFields.push(created.key)
  }
  for (const ref of refs) {
    if (findGroup(groups, ref)) {
      result.existingGroups.push(ref)
      continue
    }
    const created = await client.createGroup(ref)
    groups.push(created)
    result.createdGroups.push(created.name)
  }
  return result
}
