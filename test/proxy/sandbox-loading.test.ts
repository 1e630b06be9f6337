// The fakes stay out of production: the proxy loads one with a dynamic import() only in sandbox
// mode (no credentials), and knows it only as a fetch handler (proxy/upstreams/sandbox.ts).
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ProxyEnv } from '../../proxy/config/env'
import { infobipFakeOf, type InfobipFake } from '../../fakes/infobip-fake'
import { rapidproFakeOf } from '../../fakes/rapidpro-fake'

const base: ProxyEnv = {
  port: 0,
  host: '127.0.0.1',
  configPath: undefined,
  dataDir: '/nowhere',
  infobip: null,
  rapidpro: null,
}
const infobip = { baseUrl: 'https://api.infobip.test', auth: { kind: 'app' as const, apiKey: 'k' } }
const rapidpro = { baseUrl: 'https://rapidpro.test', token: 't' }

afterEach(() => {
  vi.doUnmock('../../fakes/infobip-fake')
  vi.doUnmock('../../fakes/rapidpro-fake')
  vi.resetModules()
})

/** The from-env modules, fresh, with each fake module replaced by one that records being loaded. */
async function withLoadWatch() {
  const loaded: string[] = []
  vi.resetModules()
  vi.doMock('../../fakes/infobip-fake', async (original) => {
    loaded.push('infobip')
    return original()
  })
  vi.doMock('../../fakes/rapidpro-fake', async (original) => {
    loaded.push('rapidpro')
    return original()
  })
  const { createClients } = await import('../../proxy/upstreams/infobip/from-env')
  const { createRapidpro } = await import('../../proxy/upstreams/rapidpro/from-env')
  return { loaded, createClients, createRapidpro }
}

describe('loading the fakes', () => {
  it('does not load either fake with live credentials, nor when RapidPro is off', async () => {
    const { loaded, createClients, createRapidpro } = await withLoadWatch()
    const clients = await createClients({ ...base, infobip, rapidpro })
    const live = await createRapidpro({ infobip, rapidpro })
    const off = await createRapidpro({ infobip, rapidpro: null })
    expect([clients.mode, clients.fake, live.mode, live.fake, off.mode, off.client]).toEqual([
      'live',
      null,
      'live',
      null,
      'off',
      null,
    ])
    expect(loaded).toEqual([])
  })

  it('loads each fake in sandbox mode, a fresh one per call, reachable with its levers by tests', async () => {
    const { loaded, createClients, createRapidpro } = await withLoadWatch()
    const first = await createClients(base)
    const second = await createClients(base)
    const rp = await createRapidpro(base)
    expect(loaded.sort()).toEqual(['infobip', 'rapidpro'])
    expect([first.mode, rp.mode]).toEqual(['sandbox', 'sandbox'])
    expect(first.fake).not.toBe(second.fake)
    // The module instance the proxy loaded (fresh after resetModules), as tests reach it.
    const fakes = await import('../../fakes/infobip-fake')
    const fake: InfobipFake | null = fakes.infobipFakeOf(first.fake)
    expect(fake?.requestCount).toBe(0)
    await first.infobip.listForms()
    expect(fake?.requestCount).toBe(1)
    const rapidproFakes = await import('../../fakes/rapidpro-fake')
    expect(rapidproFakes.rapidproFakeOf(rp.fake)?.requests).toEqual([])
  })
})

describe('infobipFakeOf / rapidproFakeOf', () => {
  it('answer null for live mode and refuse anything that is not one of their fakes', () => {
    const stranger = { fetch: async () => new Response(null) }
    expect(infobipFakeOf(null)).toBeNull()
    expect(rapidproFakeOf(null)).toBeNull()
    expect(() => infobipFakeOf(stranger)).toThrow('not an in-process Infobip fake')
    expect(() => rapidproFakeOf(stranger)).toThrow('not an in-process RapidPro fake')
  })
})
