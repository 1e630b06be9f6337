import type { RapidproGroup } from './types'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** The group a config reference names: by UUID, or by name as RapidPro matches it (case-insensitive). */
export function findGroup(groups: readonly RapidproGroup[], ref: string): RapidproGroup | undefined {
  return isUuid(ref)
    ? groups.find((g) => g.uuid === ref)
    : groups.find((g) => g.name.toLowerCase() === ref.toLowerCase())
}
