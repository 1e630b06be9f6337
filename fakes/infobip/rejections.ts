// Scripted Moments rejections: InfobipFake.rejectNext.
/**
 * The seven reasons a Moments participant can be REJECTED with (ErrorStatusReason in the spec).
 * Only two follow from the request (an invalid contact, a custom attribute the account lacks) and
 * one from the fake's state (already in the flow); the others come from the account (credits,
 * re-entry rules, Infobip's own errors), so a test scripts them.
 */
export const MOMENTS_REJECTIONS = [
  'REJECTED_INVALID_CONTACT',
  'REJECTED_ATTRIBUTE_MISSED',
  'REJECTED_PERSON_IN_FLOW',
  'REJECTED_PERSON_NOT_ALLOWED_TO_REENTER',
  'REJECTED_FLOW_ERROR_UNKNOWN',
  'REJECTED_NOT_ENOUGH_CREDITS',
  'REJECTED_CDP_ERROR_UNKNOWN',
] as const
export type MomentsRejection = (typeof MOMENTS_REJECTIONS)[number]

/** Scripted rejections for the next participants, optionally only for one identifier. */
export class RejectionQueue {
  #queued: { reason: MomentsRejection; identifier: string | undefined; remaining: number }[] = []

  add(reason: MomentsRejection, identifier: string | undefined, times: number): void {
    if (!(MOMENTS_REJECTIONS as readonly string[]).includes(reason)) {
      throw new RangeError(`not a Moments rejection reason: ${String(reason)}`)
    }
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`times must be a positive integer, got ${times}`)
    }
    this.#queued.push({ reason, identifier, remaining: times })
  }

  take(identifier: string): MomentsRejection | undefined {
    const entry = this.#queued.find((q) => q.identifier === undefined || q.identifier === identifier)
    if (!entry) {
      return undefined
    }
    entry.remaining -= 1
    if (entry.remaining === 0) {
      this.#queued = this.#queued.filter((q) => q !== entry)
    }
    return entry.reason
  }

  clear(): void {
    this.#queued = []
  }
}
