import { CappedMap } from 'altcha-lib'

/**
 * Which solved ALTCHA challenges have opened a signup already, so that one solution opens one
 * signup. `spend` answers true the first time a signature is spent, false after.
 */
export interface SpentChallenges {
  spend(signature: string): Promise<boolean>
}

/**
 * One instance's memory (the embedded store's one process). Capped: a flood of solved challenges
 * (each costs the sender the proof of work) can push out the oldest, bounded in memory.
 */
export class MemorySpentChallenges implements SpentChallenges {
  readonly #spent = new CappedMap<string, true>({ maxSize: 10_000 })

  async spend(signature: string): Promise<boolean> {
    return this.#spent.setIfAbsent(signature, true)
  }
}
