import type { ConsentRecord } from '../delivery/consent-store'
import { readCliEnv } from './context'
import type { CliIo, Printer } from './io'
import { noOutbox, openOutbox, outboxFile } from './outbox-file'
import { personArgs } from './person-args'

/**
 * `flowform consent --email|--phone`: every consent record of one person (GDPR art. 7(1): the
 * controller must be able to show that the person consented), read from the server's outbox
 * file. Exit 0 when there are records, 1 when there are none or no outbox, 2 for a bad identifier.
 */
export function consent(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { who, label } = personArgs(args)
  const file = outboxFile(readCliEnv(io), io)
  const outbox = openOutbox(file)
  if (!outbox) {
    print.err(`flowform: ${noOutbox(file)}`)
    return Promise.resolve(1)
  }
  let records: ConsentRecord[]
  try {
    records = outbox.consents.of(who)
  } finally {
    outbox.close()
  }
  if (records.length === 0) {
    print.out(`No consent records for ${label}.`)
    return Promise.resolve(1)
  }
  print.out(`${records.length} consent ${records.length === 1 ? 'record' : 'records'} for ${label}:`)
  for (const record of records) {
    print.out()
    print.out(formatRecord(record))
  }
  return Promise.resolve(0)
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
