import * as z from 'zod'
import { CONTENT_TYPES, FIELD_TYPES } from '../../contract/definition'

/** One field of a form in the config file (contract section 3): its type, rules and texts. */

const CHOICE_TYPES: readonly string[] = ['select', 'radio', 'checkboxes']

const Pattern = z.string().refine(
  (value) => {
    try {
      new RegExp(value, 'u')
      return true
    } catch {
      return false
    }
  },
  { error: 'must be a valid regular expression' },
)

const OptionValue = z.union([z.string().min(1), z.number().transform(String)])

/** `"Red"`, `42` or `{ "label": "Red", "value": "red" }`; plain ones are both label and value. */
const Option = z.union([
  OptionValue.transform((value) => ({ label: value, value })),
  z.strictObject({ label: z.string().min(1), value: OptionValue }),
])

const Messages = z.strictObject({
  required: z.string().optional(),
  format: z.string().optional(),
  pattern: z.string().optional(),
  maxLength: z.string().optional(),
  min: z.string().optional(),
  max: z.string().optional(),
  forbiddenSymbols: z.string().optional(),
})

export const FieldConfig = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and hold only letters, digits, _ or -')
      .optional(),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().optional(),
    label: z.string().min(1).max(500).optional(),
    placeholder: z.string().max(200).optional(),
    options: z.array(Option).min(1).max(200).optional(),
    maxLength: z.int().positive().max(4000).optional(),
    pattern: Pattern.optional(),
    min: z.union([z.string(), z.number()]).optional(),
    max: z.union([z.string(), z.number()]).optional(),
    value: z.string().max(4000).optional(),
    /** The text beside a single checkbox; `label` then names the question above it. */
    checkboxText: z.string().min(1).max(500).optional(),
    /** Characters the value must not contain. */
    forbiddenSymbols: z.array(z.string().min(1).max(10)).max(100).optional(),
    /** The text of a `title` or `description`. */
    text: z.string().min(1).max(2000).optional(),
    messages: Messages.optional(),
  })
  .superRefine((field, ctx) => {
    const content = CONTENT_TYPES.includes(field.type)
    const only = (key: 'value' | 'checkboxText' | 'text', allowed: boolean, what: string) => {
      if (field[key] !== undefined && !allowed) {
        ctx.addIssue({ code: 'custom', path: [key], message: `only ${what} takes "${key}"` })
      }
    }
    if (CHOICE_TYPES.includes(field.type) && !field.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a "${field.type}" field needs options` })
    }
    if (!content && field.name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `a "${field.type}" field needs a name` })
    }
    if (content && field.text === undefined && field.label === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: `a "${field.type}" needs a text` })
    }
    only('value', field.type === 'hidden', 'a "hidden" field')
    only('checkboxText', field.type === 'checkbox', 'a "checkbox" field')
    only('text', content, 'a "title" or "description"')
  })
export type FieldConfig = z.infer<typeof FieldConfig>

/** A field of a loaded form: content elements without a name are named by type and position. */
export type FormFieldConfig = FieldConfig & { name: string }
