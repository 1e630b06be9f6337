import * as z from 'zod'

/**
 * RapidPro API v2 answers, validated loosely: only what Flowform reads is required, everything
 * else (and anything newer versions add) passes through untouched.
 */

export const RapidproContact = z.looseObject({
  uuid: z.string().min(1),
  name: z.string().nullish(),
  language: z.string().nullish(),
  status: z.string().nullish(),
  urns: z.array(z.string()).default([]),
  groups: z.array(z.looseObject({ uuid: z.string(), name: z.string() })).default([]),
  fields: z.record(z.string(), z.string().nullable()).default({}),
})
export type RapidproContact = z.infer<typeof RapidproContact>

/** Current field types; older servers answer `value_type` (`numeric` for `number`) and `label`. */
export const RAPIDPRO_FIELD_TYPES = ['text', 'number', 'datetime', 'state', 'district', 'ward'] as const
export type RapidproFieldType = (typeof RAPIDPRO_FIELD_TYPES)[number]

const LEGACY_TYPES: Record<string, RapidproFieldType> = { numeric: 'number' }

export const RapidproField = z
  .looseObject({
    key: z.string().min(1),
    name: z.string().optional(),
    label: z.string().optional(),
    type: z.string().optional(),
    value_type: z.string().optional(),
  })
  .transform((f) => ({
    key: f.key,
    name: f.name ?? f.label ?? f.key,
    type: f.type ?? (f.value_type ? (LEGACY_TYPES[f.value_type] ?? f.value_type) : 'text'),
  }))
export type RapidproField = z.infer<typeof RapidproField>

export const RapidproGroup = z.looseObject({
  uuid: z.string().min(1),
  name: z.string(),
  /** Set for smart (query-based) groups, which contacts cannot be added to. */
  query: z.string().nullish(),
  system: z.boolean().optional(),
  count: z.number().nullish(),
})
export type RapidproGroup = z.infer<typeof RapidproGroup>

/** Cursor pagination of every list endpoint. */
export function page<T extends z.ZodType>(item: T) {
  return z.looseObject({ next: z.string().nullish(), results: z.array(item) })
}

/** What Flowform writes to a contact. `urns` goes only with `?uuid=` or no lookup (never with `?urn=`). */
export interface ContactWrite {
  name?: string | null
  language?: string | null
  fields?: Record<string, string | null>
  groups?: string[]
}
