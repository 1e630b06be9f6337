// Flows (campaigns) and who is in them. Both flow APIs share this: a person added through the
// legacy API is "already in flow" for Moments and the other way round.
import type { SeedFlow } from './seed'

export interface FlowParticipant {
  personId: number
  variables: Record<string, unknown>
  addedAt: number
  via: 'moments' | 'legacy'
}

interface FlowRecord {
  flow: SeedFlow
  participants: Map<number, FlowParticipant>
}

export class FlowStore {
  readonly #flows = new Map<string, FlowRecord>()

  constructor(flows: SeedFlow[]) {
    for (const flow of flows) {
      this.#flows.set(flow.campaignId, { flow: { ...flow }, participants: new Map() })
    }
  }

  get(campaignId: string): SeedFlow | undefined {
    return this.#flows.get(campaignId)?.flow
  }

  all(): SeedFlow[] {
    return [...this.#flows.values()].map((r) => r.flow)
  }

  setStatus(campaignId: string, status: SeedFlow['status']): void {
    const record = this.#flows.get(campaignId)
    if (!record) {
      throw new Error(`Unknown flow ${campaignId}`)
    }
    record.flow.status = status
  }

  participants(campaignId: string): FlowParticipant[] {
    return [...(this.#flows.get(campaignId)?.participants.values() ?? [])]
  }

  has(campaignId: string, personId: number): boolean {
    return this.#flows.get(campaignId)?.participants.has(personId) ?? false
  }

  add(campaignId: string, participant: FlowParticipant): void {
    this.#flows.get(campaignId)?.participants.set(participant.personId, participant)
  }

  remove(campaignId: string, personId: number): boolean {
    return this.#flows.get(campaignId)?.participants.delete(personId) ?? false
  }

  /** After People merged `fromId` into `toId`, the surviving profile inherits flow memberships. */
  reassign(fromId: number, toId: number): void {
    for (const { participants } of this.#flows.values()) {
      const moved = participants.get(fromId)
      participants.delete(fromId)
      if (moved && !participants.has(toId)) {
        participants.set(toId, { ...moved, personId: toId })
      }
    }
  }

  clearParticipants(): void {
    for (const { participants } of this.#flows.values()) {
      participants.clear()
    }
  }
}
