import type { InfobipClient } from '../upstreams/infobip/client'
import type { RapidproClient } from '../upstreams/rapidpro/client'
import type { DeliveryOutcome } from './outcome'
import type { Delivery } from './payloads'
import { submitFormData } from './targets/form-data'
import { enrolLegacy } from './targets/legacy-flow'
import type { UpstreamHealth } from './upstream-health'
import { deliverToMoments, type MomentsGateway } from './targets/moments'
import { deliverToRapidpro } from './targets/rapidpro'

export interface DeliverOptions {
  /** How long to wait for an upstream's final word (the request path's budget; 0 in the worker). */
  waitMs: number
  /** How long to wait for a batched call to be sent at all; default waitMs. */
  addWaitMs?: number | undefined
}

export interface Deliverer {
  deliver(delivery: Delivery, options: DeliverOptions): Promise<DeliveryOutcome>
}

export interface DeliveryUpstreams {
  infobip: InfobipClient
  moments: MomentsGateway
  /** null or absent: RapidPro is off, and a `rapidpro` delivery fails for the operator. */
  rapidpro?: RapidproClient | null | undefined
}

/**
 * Performs one attempt of one outbox delivery against its upstream: which module delivers which
 * target. Each module owns its request and what the upstream's answer means (its outcome).
 */
export function createDeliverer(upstreams: DeliveryUpstreams): Deliverer {
  return {
    deliver(delivery, options) {
      switch (delivery.target) {
        case 'form-data':
          return submitFormData(upstreams.infobip, delivery.payload)
        case 'flow': {
          const { flow, personData } = delivery.payload
          return flow.api === 'legacy'
            ? enrolLegacy(upstreams.infobip, flow, personData)
            : deliverToMoments(upstreams.moments, delivery, flow, options)
        }
        case 'rapidpro':
          return deliverToRapidpro(upstreams.rapidpro ?? null, delivery, options)
      }
    },
  }
}

/**
 * Every attempt through its upstream's circuit breaker (upstream-health.ts): the one choke point,
 * shared by the worker and the signup path, so that an open breaker holds back both.
 */
export function guardedDeliverer(deliverer: Deliverer, health: UpstreamHealth): Deliverer {
  return {
    deliver: (delivery, options) => health.run(delivery.target, () => deliverer.deliver(delivery, options)),
  }
}
