// Config problems in the shop owner's words (proxy/config/errors-in-words.ts, json-syntax.ts): one
// case per kind of zod issue, through loadConfig as `npx flowform check` and the server report them.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import { describe, expect, it } from 'vitest'
import { configErrorMap, inWords } from '../../proxy/config/errors-in-words'
import { loadConfig } from '../../proxy/config/load'
import { tempDir } from '../helpers/temp-dir'

const form = {
  id: 'welcome',
  allowedOrigins: ['https://shop.example.com'],
  fields: [{ name: 'email', type: 'email', required: true, label: 'Email' }],
  flow: { api: 'moments', campaignId: '200000000000001' },
}

/** The message loadConfig throws for this file content ('' when it loads). */
function problemsWith(content: string): string {
  const file = join(tempDir('config-words'), 'flowform.config.json')
  writeFileSync(file, content)
  try {
    loadConfig({ path: file, demoOrigins: [] })
    return ''
  } catch (error) {
    return (error as Error).message
  }
}

const problemsOf = (config: unknown) => problemsWith(JSON.stringify(config))
const withForm = (changes: Record<string, unknown>) => problemsOf({ forms: [{ ...form, ...changes }] })

const JARGON =
  /Invalid input|Invalid discriminator|Invalid option|Unrecognized key|Too big|Too small|expected string|received/

describe('config problems in words', () => {
  it('a missing key says what to put there', () => {
    const message = withForm({ flow: { api: 'moments' } })
    expect(message).toContain(
      'at $.forms[0].flow.campaignId: is missing: give the id of the Infobip flow (campaign) to start',
    )
    expect(withForm({ id: undefined })).toContain('at $.forms[0].id: is missing: give the form an id such as "welcome"')
    expect(withForm({ afterSubmit: { type: 'message' } })).toMatch(/at \$\.forms\[0\]\.afterSubmit\.value: is missing/)
  })

  it('a misspelt flow api lists the two it can be, and a missing one says what it is for', () => {
    expect(withForm({ flow: { api: 'momments', campaignId: 1 } })).toContain(
      'at $.forms[0].flow.api: must be "moments" or "legacy" (found "momments"): did you mean "moments"?',
    )
    expect(withForm({ flow: { campaignId: 1 } })).toContain(
      'at $.forms[0].flow.api: is missing: say how the flow is started: "moments"',
    )
  })

  it('a value outside a list names the list and the likely one', () => {
    const message = withForm({ fields: [{ name: 'email', type: 'emial' }] })
    expect(message).toMatch(/at \$\.forms\[0\]\.fields\[0\]\.type: must be one of "email", "tel", .* \(found "emial"\)/)
    expect(message).toContain(': did you mean "email"?')
  })

  it('a wrong type says what it must be and what was found', () => {
    expect(withForm({ id: 3 })).toContain('at $.forms[0].id: must be a text in double quotes (found 3)')
    expect(withForm({ allowedOrigins: 'https://shop.example.com' })).toContain(
      'at $.forms[0].allowedOrigins: must be a list in square brackets [ … ] (found "https://shop.example.com")',
    )
    expect(problemsOf([])).toContain('at $: must be an object in braces { … } (found a list of 0 entries)')
    // A union of types: each type it may be.
    expect(withForm({ flow: { api: 'moments', campaignId: true } })).toContain(
      'at $.forms[0].flow.campaignId: must be a text in double quotes or a number (found true)',
    )
  })

  it('too long, too short, too few and out of range', () => {
    expect(withForm({ submitLabel: 'x'.repeat(101) })).toContain(
      'at $.forms[0].submitLabel: must be at most 100 characters long (found 101)',
    )
    expect(withForm({ submitLabel: '' })).toContain('at $.forms[0].submitLabel: must not be empty')
    expect(withForm({ rapidpro: { urns: [] } })).toContain(
      'at $.forms[0].rapidpro.urns: must list at least one entry (found 0)',
    )
    expect(withForm({ fields: [{ name: 'email', type: 'email', maxLength: 0 }] })).toContain(
      'at $.forms[0].fields[0].maxLength: must be above 0 (found 0)',
    )
  })

  it('an unknown key: the likely one, else the keys allowed there', () => {
    expect(withForm({ fields: [{ name: 'email', type: 'email', lable: 'Email' }] })).toContain(
      'at $.forms[0].fields[0]: unknown key "lable": did you mean "label"?',
    )
    expect(problemsOf({ form: [form] })).toContain('at $: unknown key "form": did you mean "forms"?')
    const unknown = withForm({ colour: 'red' })
    expect(unknown).toContain('at $.forms[0]: unknown key "colour"; the keys allowed here are id, ')
    for (const key of ['allowedOrigins', 'fields', 'flow', 'botDefense', 'consent', 'display']) {
      expect(unknown).toMatch(new RegExp(`allowed here are [^\\n]*\\b${key}\\b`))
    }
  })

  it('a union member that got further points at the key inside it', () => {
    const message = withForm({
      fields: [
        { name: 'email', type: 'email' },
        { name: 'size', type: 'select', options: [{ label: 'Large' }] },
      ],
    })
    expect(message).toContain('at $.forms[0].fields[1].options[0].value: is missing')
  })

  it('keeps the messages the schema words itself', () => {
    expect(withForm({ flow: { api: 'legacy', campaignId: 'abc' } })).toContain(
      'at $.forms[0].flow.campaignId: must be a numeric id',
    )
    expect(withForm({ allowedOrigins: ['https://shop.example.com/'] })).toContain(
      'at $.forms[0].allowedOrigins[0]: must be an origin such as',
    )
  })

  it('formats, multiples and bare refinements, for keys the schema may add', () => {
    const schema = z.strictObject({
      contact: z.email().optional(),
      site: z.url().optional(),
      code: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional(),
      step: z.number().multipleOf(5).optional(),
      odd: z
        .number()
        .refine((n) => n % 2 === 1)
        .optional(),
    })
    const result = schema.safeParse(
      { contact: 'nobody', site: 'shop', code: 'ab', step: 3, odd: 2 },
      { error: configErrorMap },
    )
    const messages = inWords(result.error?.issues ?? []).map((i) => i.message)
    expect(messages).toEqual([
      'must be an email address (found "nobody")',
      'must be a web address such as "https://shop.example.com" (found "shop")',
      'must match the pattern /^[A-Z]{3}$/ (found "ab")',
      'must be a multiple of 5 (found 3)',
      'is not valid here',
    ])
  })

  it('uses none of the validator jargon, for a config with every kind of mistake', () => {
    const message = problemsOf({
      forms: [
        {
          ...form,
          id: 3,
          colour: 'red',
          flow: { api: 'momments' },
          fields: [{ name: 'email', type: 'emial', lable: 'x', options: [{ label: 'a' }, ''] }],
          submitLabel: 'x'.repeat(200),
        },
        { ...form, flow: { api: 'moments' }, tags: 'x' },
      ],
      extra: 1,
    })
    expect(message.split('\n').length).toBeGreaterThan(8)
    expect(message).not.toMatch(JARGON)
  })
})

describe('invalid JSON', () => {
  it('says the line and column, and what is wrong there', () => {
    expect(problemsWith('{\n  "forms": [\n    { "id": "welcome", }\n  ]\n}')).toMatch(
      /Invalid config file .*flowform\.config\.json:\n {2}at line 3, column 24: not valid JSON: a key in double quotes was expected/,
    )
    expect(problemsWith('{\n  "forms": [\n    { "id": "welcome" "allowedOrigins": [] }\n  ]\n}')).toContain(
      'at line 3, column 23: not valid JSON: a comma was expected between two entries',
    )
    expect(problemsWith('{ "forms": [ }')).toContain('at line 1, column 14: not valid JSON')
    expect(problemsWith('{\n  // the shop\n  "forms": []\n}')).toContain(
      'at line 2, column 3: not valid JSON: JSON does not allow comments',
    )
    expect(problemsWith('{ "forms": [] }\n}')).toContain(
      'at line 2, column 1: not valid JSON: the file should end here',
    )
    expect(problemsWith('  \n')).toContain('not valid JSON: the file is empty')
  })
})
