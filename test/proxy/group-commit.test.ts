import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GroupCommit } from '../../proxy/delivery/group-commit'
import { Outbox } from '../../proxy/delivery/outbox'
import type { PlannedDelivery } from '../../proxy/delivery/payloads'
import { tempDir } from '../helpers/temp-dir'

const FLOW: PlannedDelivery = {
  target: 'flow',
  payload: { flow: { api: 'moments', campaignId: '1' }, personData: { person: {}, email: 'a@example.com' } },
} as PlannedDelivery

let outbox: Outbox | undefined
afterEach(() => {
  vi.restoreAllMocks()
  outbox?.close()
  outbox = undefined
})

describe('group commit: concurrent submissions share one transaction', () => {
  it('writes the submissions added in one turn in one commit, each answered with its own deliveries', async () => {
    outbox = new Outbox(join(tempDir('group'), 'outbox.db'))
    const commits = vi.spyOn(outbox, 'atomically')
    const group = new GroupCommit(outbox)
    const answers = await Promise.all(['s1', 's2', 's3', 's4', 's5'].map((id) => group.add(id, 'welcome', [FLOW])))
    expect(commits).toHaveBeenCalledTimes(1)
    expect(answers.map((deliveries) => deliveries.map((d) => d.submissionId))).toEqual([
      ['s1'],
      ['s2'],
      ['s3'],
      ['s4'],
      ['s5'],
    ])
    expect(outbox.count()).toBe(5)
    // A later submission starts the next group.
    await group.add('s6', 'welcome', [FLOW])
    expect(commits).toHaveBeenCalledTimes(2)
  })

  it('refuses only the submission that cannot be written; the others of its group are stored', async () => {
    outbox = new Outbox(join(tempDir('group'), 'outbox.db'))
    const add = outbox.add.bind(outbox)
    vi.spyOn(outbox, 'add').mockImplementation((id, ...rest) => {
      if (id === 'bad') {
        throw new Error('cannot write')
      }
      return add(id, ...rest)
    })
    const group = new GroupCommit(outbox)
    const [good, bad] = await Promise.allSettled([
      group.add('good', 'welcome', [FLOW]),
      group.add('bad', 'welcome', [FLOW]),
    ])
    expect(good.status).toBe('fulfilled')
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('cannot write') })
    expect(outbox.count()).toBe(1)
  })

  it('refuses the whole group when its commit fails, leaving nothing of it stored', async () => {
    outbox = new Outbox(join(tempDir('group'), 'outbox.db'))
    const real = outbox.atomically
    vi.spyOn(outbox, 'atomically').mockImplementationOnce((work) => {
      real(() => {
        work()
        throw new Error('disk full')
      })
    })
    const group = new GroupCommit(outbox)
    const results = await Promise.allSettled([group.add('a', 'welcome', [FLOW]), group.add('b', 'welcome', [FLOW])])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(outbox.count()).toBe(0)
    // The next group is written as usual.
    expect(await group.add('c', 'welcome', [FLOW])).toHaveLength(1)
    expect(outbox.count()).toBe(1)
  })
})
