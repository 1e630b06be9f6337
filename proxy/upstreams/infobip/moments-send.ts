import type { Logger } from '../../common/log'
import { describeUpstreamError, UpstreamCallError } from '../errors'
import type { InfobipClient } from './client'
import { InfobipHttpError } from './errors'
import type { MomentsParticipant } from './types'

/**
 * Sending one assembled Moments batch (moments-batcher.ts assembles them): one participants call,
 * and what to do when it fails. A failed call rejects every caller with its error: transient ones
 * go back to the outbox as retries. A 400 is about the data of some participant, not the batch:
 * the one the message names (`participants.[i]`) is refused alone and the rest are sent again;
 * when none is named the batch is halved until the bad ones are alone. Only they fail (for the
 * operator, data kept); a split budget bounds the extra calls, past it the rest retry later
 * instead of failing.
 */

/** A participant waiting for the operationId of the call that carries it. */
export interface Waiting {
  participant: MomentsParticipant
  resolve(operationId: string): void
  reject(error: unknown): void
}

/** Where and how a campaign's batches are sent. */
export interface BatchCall {
  client: Pick<InfobipClient, 'addMomentsParticipants'>
  campaignId: string
  /** Sent as `notifyUrl` with every call (already carrying its secret). */
  notifyUrl: string | undefined
  log: Logger | undefined
  /** Told of every operation a call started, before its participants hear of it. */
  onSent(operationId: string): void
}

/** The batch was refused for another participant's data and the split budget ran out: try again later. */
export class BatchSplitError extends UpstreamCallError {
  override name = 'BatchSplitError' as const
  constructor(cause: unknown) {
    super('infobip', 'batch refused for another participant and not split further; will be sent again', {
      transient: true,
      cause,
    })
  }
}

/** Sends the batch; settles every participant in it, never rejects. `budget` is shared by its splits. */
export async function sendBatch(call: BatchCall, entries: readonly Waiting[], budget: { left: number }): Promise<void> {
  let operationId: string
  try {
    operationId = await call.client.addMomentsParticipants(call.campaignId, {
      participants: entries.map((e) => e.participant),
      ...(call.notifyUrl ? { notifyUrl: call.notifyUrl } : {}),
    })
  } catch (error) {
    await refused(call, entries, budget, error)
    return
  }
  call.onSent(operationId)
  call.log?.debug(
    { campaignId: call.campaignId, operationId, participants: entries.length },
    'moments participants sent',
  )
  for (const entry of entries) {
    entry.resolve(operationId)
  }
}

async function refused(
  call: BatchCall,
  entries: readonly Waiting[],
  budget: { left: number },
  error: unknown,
): Promise<void> {
  const { campaignId, log } = call
  const about = error instanceof InfobipHttpError ? error.upstreamMessage : undefined
  if (!(error instanceof InfobipHttpError) || error.status !== 400 || entries.length === 1) {
    log?.warn(
      { campaignId, participants: entries.length, err: describeUpstreamError(error) },
      'moments participants call failed',
    )
    rejectAll(entries, error)
    return
  }
  if (budget.left <= 0) {
    log?.warn(
      { campaignId, participants: entries.length, upstreamMessage: about },
      'moments batch refused; split budget spent, will retry',
    )
    rejectAll(entries, new BatchSplitError(error))
    return
  }
  budget.left -= 1
  const index = namedParticipant(about, entries.length)
  if (index !== undefined) {
    entries[index]?.reject(error)
    const rest = entries.filter((_, i) => i !== index)
    log?.warn(
      { campaignId, index, upstreamMessage: about },
      'moments batch refused for one participant; sending the rest again',
    )
    if (rest.length > 0) {
      await sendBatch(call, rest, budget)
    }
    return
  }
  const half = Math.ceil(entries.length / 2)
  log?.warn({ campaignId, participants: entries.length, upstreamMessage: about }, 'moments batch refused; splitting it')
  await Promise.all([sendBatch(call, entries.slice(0, half), budget), sendBatch(call, entries.slice(half), budget)])
}

function rejectAll(entries: readonly Waiting[], error: unknown): void {
  for (const entry of entries) {
    entry.reject(error)
  }
}

/** The index in "Field participants.[3].person.firstName …", when it is a participant of this batch. */
export function namedParticipant(message: string | undefined, count: number): number | undefined {
  const match = /participants\.?\[(\d+)\]/.exec(message ?? '')
  const index = match ? Number(match[1]) : NaN
  return Number.isInteger(index) && index >= 0 && index < count ? index : undefined
}
