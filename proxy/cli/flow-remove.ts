import { parseArgs } from 'node:util'
import { phoneDigits } from '../../widget/validate'
import { InfobipHttpError } from '../upstream/infobip-errors'
import { createCliContext } from './context'
import { type CliIo, describeError, type Printer, UsageError } from './io'


type Identifier = { email: string } | { phone: string } | { externalId: string }

/**
 * `flowform flow remove`: takes a person out of the flow the form enrols into, with
 * `DELETE /communication/1/flows/{campaignId}/participants` (both flow APIs share campaign ids).
 * Exit 0 when the person is out of the flow afterwards (removed, or was not in it); 1 otherwise.
 */
export async function flowRemove(args: string[], io: CliIo, print: Printer): Promise<number> {
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
    ...(values.email !== undefined ? [{ email: values.email.trim() }] : []),
    ...(values.phone !== undefined ? [{ phone: phoneDigits(values.phone) }] : []),
    ...(values['external-id'] !== undefined ? [{ externalId: values['external-id'].trim() }] : []),
  ]
  const identifier = given[0]
  if (given.length !== 1 || !identifier) {
    throw new UsageError('give exactly one of --email, --phone, --external-id')
  }
  if (Object.values(identifier)[0] === '') {
    throw new UsageError('the person identifier must not be empty')
  }
  const context = createCliContext(io, print)
  const form = context.loaded.config.forms.find((f) => f.id === values.form)
  if (!form) {
    const known = context.loaded.config.forms.map((f) => f.id).join(', ')
    print.err(`flowform: there is no form "${values.form}" in ${context.configName} (forms: ${known}).`)
    return 1
  }
  if (!form.flow) {
    print.err(`flowform: form "${form.id}" has no flow configured, so there is nobody to remove.`)
    return 1
  }
  const { campaignId } = form.flow
  const who = describeIdentifier(identifier)
  const where = `flow ${campaignId} (form "${form.id}")`
  try {
    await context.clients.infobip.removeParticipant(campaignId, identifier)
    print.out(`Removed the person with ${who} from ${where}.`)
    return 0
  } catch (error) {
    const code = error instanceof InfobipHttpError ? error.upstreamCode : undefined
    switch (code) {
      case '40006':
        print.out(`The person with ${who} is not in ${where}; nothing to remove.`)
        return 0
      case '40402':
        print.err(`flowform: Infobip has no person with ${who}; nothing was removed. Check the spelling, or try another identifier.`)
        return 1
      case '40401':
        print.err(`flowform: Infobip has no ${where}: check flow.campaignId in ${context.configName}.`)
        return 1
      case '40005':
        print.err(`flowform: ${where} is inactive; Infobip removes people only from active flows.`)
        return 1
      default:
        print.err(`flowform: could not remove the person from ${where}: ${describeError(error)}`)
        return 1
    }
  }
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
