import type { PersonRef } from '../delivery/identities'
import { type CliContext, createCliContext } from './context'
import { type EraseStep, eraseConsents, eraseFromOutbox } from './erase-outbox'
import { removeFromFlow, type FlowRemoval } from './flow-remove'
import { type CliIo, type Printer, table } from './io'
import { personArgs } from './person-args'
import { describeUpstreamError } from '../upstreams/errors'
import { rapidproFor } from './rapidpro'

/**
 * `flowform erase --email|--phone`: an erasure request (GDPR art. 17) in one command. The outbox
 * goes first, so that nothing queued re-creates the person after the upstreams are cleaned; then
 * every configured flow; then the RapidPro contact. Their consent records (delivery/consent-store.ts) are
 * deleted with the outbox step. Every step is reported, and a failed step
 * does not stop the others. Exit 1 when any step failed: the person may still be stored there.
 */
export async function erase(args: string[], io: CliIo, print: Printer): Promise<number> {
  const { who, email, phone, label } = personArgs(args)
  const context = await createCliContext(io, print)
  const steps: EraseStep[] = [await eraseFromOutbox(io, who), await eraseConsents(io, who)]
  steps.push(...(await eraseFromFlows(context, email !== undefined ? { email } : { phone: phone ?? '' })))
  steps.push(await eraseFromRapidpro(context, io, print, who))
  print.out(`Erasing the person with ${label}:`)
  print.out(
    table(
      ['STEP', 'TARGET', 'RESULT', 'DETAIL'],
      steps.map((s) => [s.step, s.target, s.result, s.detail]),
    ),
  )
  print.out(
    "Not covered: the person's profile in Infobip People and the form submissions Infobip keeps; delete those in Infobip if the request covers them.",
  )
  // Without the outbox, a queued signup could re-create the person later: that is not "done".
  const outboxMissing = steps[0]?.result === 'skip'
  const failed = steps.filter((s) => s.result === 'FAIL').length + (outboxMissing ? 1 : 0)
  const skipped = steps.filter((s) => s.result === 'skip').length
  const steps_ = (n: number) => `${n} ${n === 1 ? 'step' : 'steps'}`
  print.out(
    failed > 0
      ? outboxMissing && failed === 1
        ? 'The outbox was not found: run this where the proxy runs, or set FLOWFORM_DATA_DIR to its data directory, and run the erasure again.'
        : `${steps_(failed)} failed: the person may still be stored there. Fix the cause and run the erasure again.`
      : `Erasure done${skipped > 0 ? `, with ${steps_(skipped)} skipped: check that nothing is stored there` : ''}.`,
  )
  return failed === 0 ? 0 : 1
}

/** Every flow of the config, once each (forms may share one). */
async function eraseFromFlows(
  context: CliContext,
  identifier: { email: string } | { phone: string },
): Promise<EraseStep[]> {
  const flows = new Map<string, { api: string; forms: string[] }>()
  for (const form of context.loaded.config.forms) {
    if (form.flow) {
      const flow = flows.get(form.flow.campaignId) ?? { api: form.flow.api, forms: [] }
      flow.forms.push(form.id)
      flows.set(form.flow.campaignId, flow)
    }
  }
  if (flows.size === 0) {
    return [{ step: 'flow', target: '(none)', result: 'skip', detail: `no form in ${context.configName} has a flow` }]
  }
  const steps: EraseStep[] = []
  for (const [campaignId, flow] of flows) {
    const target = `${flow.api} flow ${campaignId} (${formsOf(flow.forms)})`
    const removal = await removeFromFlow(context.clients.infobip, campaignId, identifier)
    steps.push({ step: 'flow', target, ...flowResult(removal) })
  }
  return steps
}

function formsOf(ids: string[]): string {
  return `${ids.length === 1 ? 'form' : 'forms'} ${ids.join(', ')}`
}

function flowResult(removal: FlowRemoval): Pick<EraseStep, 'result' | 'detail'> {
  switch (removal.kind) {
    case 'removed':
      return { result: 'ok', detail: 'removed from the flow' }
    case 'not_in_flow':
      return { result: 'ok', detail: 'not in the flow' }
    case 'no_person':
      return { result: 'ok', detail: 'Infobip has no person with this identifier' }
    case 'no_flow':
      return { result: 'skip', detail: 'Infobip has no flow with this id (check flow.campaignId)' }
    case 'inactive':
      return {
        result: 'FAIL',
        detail: 'the flow is inactive and Infobip removes people only from active flows: activate it and erase again',
      }
    case 'error':
      return { result: 'FAIL', detail: removal.detail }
  }
}

async function eraseFromRapidpro(context: CliContext, io: CliIo, print: Printer, who: PersonRef): Promise<EraseStep> {
  const client = await rapidproFor(context.env, io, print)
  const target = context.env.rapidpro?.baseUrl ?? (client ? 'sandbox (in-process fake)' : '(not configured)')
  if (!client) {
    return { step: 'rapidpro', target, result: 'skip', detail: 'RapidPro is not configured' }
  }
  try {
    const { eraseContact } = await import('../upstreams/rapidpro/erase')
    const result = await eraseContact(client, who)
    return {
      step: 'rapidpro',
      target,
      result: 'ok',
      detail: result === 'deleted' ? 'deleted the contact' : 'no contact with this identifier',
    }
  } catch (error) {
    return { step: 'rapidpro', target, result: 'FAIL', detail: describeUpstreamError(error) }
  }
}
