import type { ConsentRecord } from '../delivery/consent-store'
import { readCliEnv } from './context'
import type { CliIo, Printer } from './io'
import { noOutbox, openStore } from './outbox-file'
import { personArgs } from './person-args'

/**
 * `flowform consent --email|--phone`: every consent record of one person (GDPR art. 7(1): the
 * controller must be able to show that the person consented), read from the server's store
 * (the outbox file, or PostgreSQL). Exit 0 when there are records, 1 when there are none or no outbox, 2 for a bad identifier.
 */
export async function consent(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { who, label } = personArgs(args)
  const opened = await openStore(readCliEnv(io), io)
  if ('missing' in opened) {
    print.err(`flowform: ${noOutbox(opened.missing)}`)
    return 1
  }
  const { queue } = opened.store
  let records: ConsentRecord[]
  try {
    records = await queue.consents.of(who)
  } finally {
    await queue.close()
  }
  if (records.length === 0) {
    print.out(`No consent records for ${label}.`)
    return 1
  }
  print.out(`${records.length} consent ${records.length === 1 ? 'record' : 'records'} for ${label}:`)
  for (const record of records) {
    print.out()
    print.out(formatRecord(record))
  }
  return 0
}

/** The text exactly as stored (line breaks kept, indented), under the facts that date it. */
export function formatRecord(record: ConsentRecord): string {
  const lines = [
    `form     ${record.formId}`,
    `time     ${new Date(record.acceptedAt).toISOString()}`,
    `locale   ${record.locale}`,
    `version  ${record.version}`,
    `page     ${record.page ?? '(unknown)'}`,
  ]
  for (const text of record.texts) {
    lines.push(
      `text     [${text.field}]${text.question ? ` ${indent(text.question)}\n           ` : ' '}${indent(text.text)}`,
    )
  }
  return lines.join('\n')
}

function indent(text: string): string {
  return text.replace(/\r?\n/g, '\n           ')
}
