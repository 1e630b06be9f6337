import { parseArgs } from 'node:util'
import { normaliseEmail, normalisePhone } from '../../contract/identity'
import type { InfobipClient } from '../upstreams/infobip/client'
import { InfobipHttpError } from '../upstreams/infobip/errors'
import { createCliContext } from './context'
import { type CliIo, describeError, type Printer, UsageError } from './io'

export type Identifier = { email: string } | { phone: string } | { externalId: string }

/**
 * `flowform flow remove`: takes a person out of the flow the form enrols into, with
 * `DELETE /communication/1/flows/{campaignId}/participants` (both flow APIs share campaign ids).
 * With --email or --phone it first stops the person's unfinished deliveries in the outbox, so a
 * queued signup cannot put them back. Exit 0 when the person is out of the flow afterwards
 * (removed, or was not in it); 1 otherwise.
 */
export async function flowRemove(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { formId, identifier } = parseFlowRemoveArgs(args)
  const context = await createCliContext(io, print)
  const form = context.loaded.config.forms.find((f) => f.id === formId)
  if (!form) {
    const known = context.loaded.config.forms.map((f) => f.id).join(', ')
    print.err(`flowform: there is no form "${formId}" in ${context.configName} (forms: ${known}).`)
    return 1
  }
  if (!form.flow) {
    print.err(`flowform: form "${form.id}" has no flow configured, so there is nobody to remove.`)
    return 1
  }
  if (!('externalId' in identifier)) {
    // Erasure: what is still queued for this person must not put them back later. Loaded here, so
    // that removing by external id does not depend on SQLite.
    const { eraseFromOutbox, printOutboxStep } = await import('./erase-outbox')
    if (!printOutboxStep(await eraseFromOutbox(io, identifier), print)) {
      return 1
    }
  }
  const { campaignId } = form.flow
  const removal = await removeFromFlow(context.clients.infobip, campaignId, identifier)
  return printRemoval(print, removal, {
    who: describeIdentifier(identifier),
    where: `flow ${campaignId} (form "${form.id}")`,
    configName: context.configName,
  })
}

/** The form and the one person identifier the command names, normalised; a UsageError otherwise. */
function parseFlowRemoveArgs(args: string[]): { formId: string; identifier: Identifier } {
  const { values } = parseArgs({
    args,
    options: {
      form: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      'external-id': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (!values.form) {
    throw new UsageError('--form is required')
  }
  const given: Identifier[] = [
    ...(values.email !== undefined ? [{ email: normaliseEmail(values.email) }] : []),
    ...(values.phone !== undefined ? [{ phone: normalisePhone(values.phone) }] : []),
    ...(values['external-id'] !== undefined ? [{ externalId: values['external-id'].trim() }] : []),
  ]
  const identifier = given[0]
  if (given.length !== 1 || !identifier) {
    throw new UsageError('give exactly one of --email, --phone, --external-id')
  }
  if (Object.values(identifier)[0] === '') {
    throw new UsageError('the person identifier must not be empty')
  }
  return { formId: values.form, identifier }
}

/** Tells the operator how the removal went; the exit code: 0 when the person is out of the flow. */
function printRemoval(
  print: Printer,
  removal: FlowRemoval,
  { who, where, configName }: { who: string; where: string; configName: string },
): number {
  switch (removal.kind) {
    case 'removed':
      print.out(`Removed the person with ${who} from ${where}.`)
      return 0
    case 'not_in_flow':
      print.out(`The person with ${who} is not in ${where}; nothing to remove.`)
      return 0
    case 'no_person':
      print.err(
        `flowform: Infobip has no person with ${who}; nothing was removed. Check the spelling, or try another identifier.`,
      )
      return 1
    case 'no_flow':
      print.err(`flowform: Infobip has no ${where}: check flow.campaignId in ${configName}.`)
      return 1
    case 'inactive':
      print.err(`flowform: ${where} is inactive; Infobip removes people only from active flows.`)
      return 1
    case 'error':
      print.err(`flowform: could not remove the person from ${where}: ${removal.detail}`)
      return 1
  }
}

export type FlowRemoval =
  { kind: 'removed' | 'not_in_flow' | 'no_person' | 'no_flow' | 'inactive' } | { kind: 'error'; detail: string }

/** One removal, with Infobip's answer codes named (shared with `flowform erase`). */
export async function removeFromFlow(
  infobip: InfobipClient,
  campaignId: string,
  identifier: Identifier,
): Promise<FlowRemoval> {
  try {
    await infobip.removeParticipant(campaignId, identifier)
    return { kind: 'removed' }
  } catch (error) {
    const code = error instanceof InfobipHttpError ? error.upstreamCode : undefined
    const known = code ? KNOWN_CODES[code] : undefined
    return known ? { kind: known } : { kind: 'error', detail: describeError(error) }
  }
}

const KNOWN_CODES: Record<string, Exclude<FlowRemoval['kind'], 'error'>> = {
  '40006': 'not_in_flow',
  '40402': 'no_person',
  '40401': 'no_flow',
  '40005': 'inactive',
}

function describeIdentifier(identifier: Identifier): string {
  if ('email' in identifier) {
    return `email ${identifier.email}`
  }
  if ('phone' in identifier) {
    return `phone ${identifier.phone}`
  }
  return `externalId ${identifier.externalId}`
}
