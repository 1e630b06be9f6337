import type { PlannedDelivery } from '../delivery/payloads'
import type { ConsentConfig } from '../config/consent'
import { type ConsentEvidence, consentSummary } from './consent-record'

/** Infobip people custom attributes hold at most 4,096 characters (upstream-apis.md); flow variables get the same. */
const INFOBIP_MAX = 4096
/** RapidPro keeps at most 640 characters of a contact field value (temba Value.MAX_VALUE_LEN). */
const RAPIDPRO_MAX = 640

/**
 * Puts the consent summary (record.ts consentSummary) into the planned deliveries where the form's
 * `consent` block names a place for it: a custom attribute of the flow's person, a flow variable,
 * a RapidPro contact field. Without evidence (nothing ticked) nothing is added, so an earlier
 * consent stored upstream is never overwritten by an empty one.
 */
export function withConsent(
  deliveries: PlannedDelivery[],
  config: ConsentConfig | undefined,
  evidence: ConsentEvidence | null | undefined,
): PlannedDelivery[] {
  if (!config || !evidence) {
    return deliveries
  }
  return deliveries.map((delivery): PlannedDelivery => {
    if (delivery.target === 'flow') {
      const summary = consentSummary(evidence, INFOBIP_MAX)
      let { flow, personData } = delivery.payload
      if (config.attribute) {
        const person = personData.person
        const customAttributes = { ...person.customAttributes, [config.attribute]: summary }
        personData = { ...personData, person: { ...person, customAttributes } }
      }
      const variable = config.flowVariable
      if (variable && flow.api === 'moments') {
        flow = { ...flow, variables: { ...flow.variables, [variable]: summary } }
      } else if (variable && flow.api === 'legacy') {
        flow = { ...flow, flowVariables: { ...flow.flowVariables, [variable]: summary } }
      }
      return { target: 'flow', payload: { flow, personData } }
    }
    if (delivery.target === 'rapidpro' && config.rapidproField) {
      const { contact } = delivery.payload
      const fields = { ...contact.body.fields, [config.rapidproField]: consentSummary(evidence, RAPIDPRO_MAX) }
      return {
        target: 'rapidpro',
        payload: { ...delivery.payload, contact: { ...contact, body: { ...contact.body, fields } } },
      }
    }
    return delivery
  })
}
