import { concerns, type PersonRef } from '../delivery/identities'
import type { DeliveryQueue, StoppedDelivery } from '../delivery/queue'
import { readCliEnv } from './context'
import type { CliIo, Printer } from './io'
import { noOutbox, openStore } from './outbox-file'

/** One step of an erasure, as `flowform erase` reports it (the shape of `flowform check` rows). */
export interface EraseStep {
  step: string
  target: string
  result: 'ok' | 'skip' | 'FAIL'
  detail: string
}

export const ERASED_REASON = 'erased by operator'

/**
 * Stops the person's deliveries still in the outbox (pending, awaiting, failed; any target), so
 * that neither the worker nor a later `outbox retry` sends them again after the upstreams were
 * cleaned up. Their payload is dropped; the rows stay as `rejected` with ERASED_REASON.
 */
export function eraseFromOutbox(io: CliIo, who: PersonRef): Promise<EraseStep> {
  return inOutbox(io, 'outbox', 'could not update the outbox', async (outbox) =>
    describeStopped(await outbox.rejectUnfinishedWhere((d) => concerns(d, who), ERASED_REASON)),
  )
}

/**
 * Deletes the person's consent records (delivery/consent-store.ts) from the outbox file: after an
 * erasure nothing stays that names them. Says how many.
 */
export function eraseConsents(io: CliIo, who: PersonRef): Promise<EraseStep> {
  return inOutbox(io, 'consent', 'could not delete the consent records', async (outbox) => {
    const deleted = await outbox.consents.erase(who)
    return deleted === 0 ? 'no consent records' : `deleted ${deleted} consent ${deleted === 1 ? 'record' : 'records'}`
  })
}

/** One erasure step on the server's store: skipped without one, FAIL with the reason when it throws. */
async function inOutbox(
  io: CliIo,
  step: string,
  failure: string,
  act: (outbox: DeliveryQueue) => Promise<string>,
): Promise<EraseStep> {
  let target = '(outbox)'
  const row = (result: EraseStep['result'], detail: string): EraseStep => ({ step, target, result, detail })
  let outbox: DeliveryQueue | null = null
  try {
    const opened = await openStore(readCliEnv(io), io)
    if ('missing' in opened) {
      target = opened.missing
      return row('skip', noOutbox(opened.missing))
    }
    target = opened.store.where
    outbox = opened.store.queue
    return row('ok', await act(outbox))
  } catch (error) {
    return row('FAIL', `${failure}: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    await outbox?.close()
  }
}

function describeStopped(stopped: StoppedDelivery[]): string {
  if (stopped.length === 0) {
    return 'no unfinished deliveries for this person'
  }
  const targets = [...new Set(stopped.map((d) => d.target))].join(', ')
  const words = stopped.length === 1 ? 'delivery' : 'deliveries'
  let detail = `stopped ${stopped.length} unfinished ${words} (${targets}) and deleted their data`
  // An awaiting delivery was taken by its upstream already (a Moments add still being processed,
  // a RapidPro contact with follow-ups left): the person may show up there only in a while.
  const underway = stopped.filter((d) => d.status === 'awaiting').length
  if (underway > 0) {
    detail += `; ${underway} had reached the upstream already: if a removal there finds nobody now, repeat it in a few minutes`
  }
  return detail
}

/** For `flow remove` and `rapidpro delete`: the outbox step as a line; false when it failed. */
export function printOutboxStep(step: EraseStep, print: Printer): boolean {
  if (step.result === 'ok') {
    print.out(`Outbox: ${step.detail}.`)
  } else {
    print.err(`flowform: outbox: ${step.detail}.`)
  }
  return step.result !== 'FAIL'
}
