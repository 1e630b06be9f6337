import { describe, expect, it } from 'vitest'
import { SignupCeiling } from '../../../proxy/signup/bots/ceiling'
import { DropCounter } from '../../../proxy/signup/bots/drops'
import { RateLimitError } from '../../../proxy/common/errors'
import { createMemoryLogger } from '../../../proxy/common/log'

describe('drop counter', () => {
  it('should count every drop and log one line per minute per form', () => {
    let now = 0
    const memory = createMemoryLogger()
    const drops = new DropCounter(memory.log, () => now)
    for (let i = 0; i < 50; i += 1) {
      drops.drop('welcome', i % 2 ? 'honeypot' : 'too_fast')
    }
    drops.drop('other', 'token_missing')
    expect(drops.total('welcome')).toBe(50)
    expect(memory.lines().map((l) => l.form)).toEqual(['welcome', 'other'])
    now = 60_000
    drops.drop('welcome', 'token_invalid')
    const last = memory.lines().at(-1)
    expect(last).toMatchObject({ form: 'welcome', droppedTotal: 51 })
    // The counts since the line before: 49 after the first, and this one.
    expect(last?.dropped).toEqual({ honeypot: 25, too_fast: 24, token_invalid: 1 })
  })
})

describe('signup ceiling', () => {
  it('should refuse signups beyond maxPerMinute with 429 until the minute turns, warning once', () => {
    let now = 30_000
    const memory = createMemoryLogger()
    const ceiling = new SignupCeiling(memory.log, () => now)
    ceiling.take('welcome', 2)
    ceiling.take('welcome', 2)
    ceiling.take('other', 2)
    const refused = (() => {
      try {
        ceiling.take('welcome', 2)
      } catch (error) {
        return error
      }
      return null
    })()
    expect(refused).toBeInstanceOf(RateLimitError)
    expect((refused as RateLimitError).retryAfterSeconds).toBe(30)
    expect(() => ceiling.take('welcome', 2)).toThrow(RateLimitError)
    expect(memory.lines().filter((l) => l.alert === 'form_signup_ceiling')).toHaveLength(1)
    now = 60_000
    expect(() => ceiling.take('welcome', 2)).not.toThrow()
  })
})
