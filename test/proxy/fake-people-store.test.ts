import { describe, expect, it } from 'vitest'
import { PeopleStore } from '../../fakes/infobip/people'

// The fake's People store answers lookups from indexes (a scan per add call made the sandbox the
// slowest part of a load test); these are the lookups a scan would have answered.
describe('the sandbox fake People store', () => {
  const store = () => new PeopleStore(() => Date.UTC(2026, 11, 3))

  it('finds a person by any email (case-insensitive), phone or externalId it was given, and not by others', () => {
    const people = store()
    const ada = people.create({ contactInformation: { email: [{ address: 'Ada@Example.com' }] } })
    people.update(ada, { externalId: 'ext-1', contactInformation: { phone: [{ number: '+41791234567' }] } })
    expect(people.findByEmail('ada@example.com')?.id).toBe(ada.id)
    expect(people.findByPhone('41791234567')?.id).toBe(ada.id)
    expect(people.findByExternalId('ext-1')?.id).toBe(ada.id)
    expect(people.findByEmail('bob@example.com')).toBeUndefined()
    expect(people.matching({ contactInformation: { email: [{ address: 'ADA@example.com' }] } })).toEqual([ada])
  })

  it('after a merge, the merged-away identifiers lead to the person they were folded into', () => {
    const people = store()
    const ada = people.create({ contactInformation: { email: [{ address: 'ada@example.com' }] } })
    const other = people.create({ externalId: 'ext-2', contactInformation: { email: [{ address: 'a2@example.com' }] } })
    people.merge(ada, [other])
    expect(people.findByEmail('a2@example.com')?.id).toBe(ada.id)
    expect(people.findByExternalId('ext-2')?.id).toBe(ada.id)
    expect(people.get(other.id)).toBeUndefined()
    expect(people.all()).toHaveLength(1)
  })

  it('finds the oldest of two people who share an email, as a scan in creation order did', () => {
    const people = store()
    const first = people.create({ contactInformation: { email: [{ address: 'shared@example.com' }] } })
    people.create({ contactInformation: { email: [{ address: 'shared@example.com' }] } })
    expect(people.findByEmail('shared@example.com')?.id).toBe(first.id)
  })

  it('an externalId that changes is found under the new one only; clear forgets everyone', () => {
    const people = store()
    const ada = people.create({ externalId: 'old', contactInformation: { email: [{ address: 'ada@example.com' }] } })
    people.update(ada, { externalId: 'new' })
    expect(people.findByExternalId('old')).toBeUndefined()
    expect(people.findByExternalId('new')?.id).toBe(ada.id)
    people.clear()
    expect(people.findByEmail('ada@example.com')).toBeUndefined()
    expect(people.findByExternalId('new')).toBeUndefined()
  })
})
