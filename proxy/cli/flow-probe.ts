import { randomUUID } from 'node:crypto'
import type { InfobipClient } from '../upstreams/infobip/client'
import { InfobipHttpError } from '../upstreams/infobip/errors'
import { describeError } from './io'

export type FlowState =
  | { state: 'active'; detail: string }
  | { state: 'missing'; detail: string }
  | { state: 'inactive'; detail: string }
  /** The probes did not tell (no permission, upstream down): neither good nor bad news. */
  | { state: 'unknown'; detail: string }

/**
 * Infobip has no "get flow" endpoint, so `flowform check` asks two questions that change nothing:
 *
 * 1. `GET /moments/1/flows/{id}/participants/report?operationId=<random uuid>`. Documented: a 404
 *    with errorCode 40401 "Could not find active flow" means the flow is missing or inactive. A 404
 *    about the operation does not prove the flow exists: the sandbox fake (and possibly Infobip)
 *    looks the operation up without looking at the flow.
 * 2. Otherwise `DELETE /communication/1/flows/{id}/participants?externalId=<random uuid>`: removing
 *    a person no one can have. The legacy error table tells the rest: 40402 "person not found" (or
 *    40006 "not in the flow") means the flow exists and is active, 40401 missing, 40005 inactive.
 */
export async function probeFlow(client: InfobipClient, campaignId: string): Promise<FlowState> {
  try {
    await client.getMomentsReport(campaignId, randomUUID())
  } catch (error) {
    if (error instanceof InfobipHttpError && error.upstreamCode === '40401') {
      return {
        state: 'missing',
        detail: 'no active flow with this id: missing or inactive (40401 "Could not find active flow")',
      }
    }
    if (!(error instanceof InfobipHttpError) || error.status === 401 || error.status >= 500) {
      return { state: 'unknown', detail: `probe failed: ${describeError(error)}` }
    }
  }
  try {
    await client.removeParticipant(campaignId, { externalId: `flowform-check-${randomUUID()}` })
    return { state: 'active', detail: 'exists and is active' }
  } catch (error) {
    const code = error instanceof InfobipHttpError ? error.upstreamCode : undefined
    switch (code) {
      case '40402':
      case '40006':
        return { state: 'active', detail: 'exists and is active' }
      case '40401':
        return { state: 'missing', detail: 'no flow with this id (40401)' }
      case '40005':
        return { state: 'inactive', detail: 'the flow is inactive (40005): activate it in Infobip' }
      default:
        return { state: 'unknown', detail: `probe failed: ${describeError(error)}` }
    }
  }
}
