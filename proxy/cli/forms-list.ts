import { parseArgs } from 'node:util'
import type { InfobipClient } from '../upstreams/infobip/client'
import type { InfobipForm } from '../upstreams/infobip/types'
import { createCliContext } from './context'
import { type CliIo, describeError, type Printer, table, UsageError } from './io'

export const FORM_STATUSES = ['ACTIVE', 'DRAFT', 'DISABLED'] as const
export const FORM_TYPES = ['OPT_IN', 'OPT_OUT', 'FACEBOOK', 'LIVECHAT', 'APPLE', 'CSAT', 'WA_FLOW'] as const
/**
 * The `formType` values `GET /forms/1/forms` takes (the spec's parameter enum). CSAT and WA_FLOW
 * appear only in answers: asking for them would be a request outside the spec, so those two are
 * filtered here from an unfiltered list.
 */
const QUERYABLE_TYPES: readonly string[] = ['OPT_IN', 'OPT_OUT', 'FACEBOOK', 'LIVECHAT', 'APPLE']

const PAGE_SIZE = 100
/** A safety stop for an upstream whose paging never ends. */
const MAX_PAGES = 1_000

/** `flowform forms list`: every Infobip form, so an owner can find the id for `infobipFormId`. */
export async function formsList(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { status: { type: 'string' }, type: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  })
  const status = values.status?.toUpperCase()
  const type = values.type?.toUpperCase()
  if (status !== undefined && !(FORM_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${FORM_STATUSES.join(', ')}`)
  }
  if (type !== undefined && !(FORM_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--type must be one of ${FORM_TYPES.join(', ')}`)
  }
  const { clients } = await createCliContext(io, print)
  let forms: InfobipForm[]
  try {
    const sent = type !== undefined && QUERYABLE_TYPES.includes(type) ? type : undefined
    forms = await allForms(clients.infobip, { formStatus: status, formType: sent })
    if (type !== undefined && sent === undefined) {
      forms = forms.filter((form) => form.formType === type)
    }
  } catch (error) {
    print.err(`flowform: could not list forms: ${describeError(error)}`)
    return 1
  }
  if (forms.length === 0) {
    print.out('No forms.')
    return 0
  }
  const rows = forms.map((f) => [f.id, f.name, f.formType ?? '', f.formStatus, String(f.elements.length)])
  print.out(table(['ID', 'NAME', 'TYPE', 'STATUS', 'ELEMENTS'], rows))
  print.out()
  print.out(`${forms.length} form${forms.length === 1 ? '' : 's'}.`)
  return 0
}

/** Pages through `GET /forms/1/forms` (at most 100 a page) until `total` or a short page. */
export async function allForms(
  client: InfobipClient,
  filter: { formStatus?: string | undefined; formType?: string | undefined },
): Promise<InfobipForm[]> {
  const forms: InfobipForm[] = []
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await client.listForms({ offset: forms.length, limit: PAGE_SIZE, ...filter })
    forms.push(...answer.forms)
    const done = answer.forms.length < PAGE_SIZE || (answer.total !== undefined && forms.length >= answer.total)
    if (done) {
      break
    }
  }
  return forms
}
