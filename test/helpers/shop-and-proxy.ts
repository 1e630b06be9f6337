import type { InfobipFake } from '../../fakes/infobip-fake'
import { fixtureConfig } from './fixture-config'
import { type FixtureSite, startFixtureSite } from './fixture-site'
import { startProxy } from './start-proxy'

export interface ShopAndProxy {
  site: FixtureSite
  proxy: Awaited<ReturnType<typeof startProxy>>
  fake: InfobipFake
  close(): Promise<void>
}

/**
 * A fixture shop and a sandbox proxy on two loopback ports, the proxy's forms allowing the shop's
 * origin (see fixture-config.ts). Pages are added with `site.serve(path, html)`.
 */
export async function startShopAndProxy(config: (origins: string[]) => unknown = fixtureConfig): Promise<ShopAndProxy> {
  const site = await startFixtureSite()
  const proxy = await startProxy({}, { config: config([site.url]) })
  const fake = proxy.fake
  if (!fake) {
    await Promise.all([proxy.close(), site.close()])
    throw new Error('the proxy did not start in sandbox mode')
  }
  return {
    site,
    proxy,
    fake,
    close: async () => {
      await Promise.all([proxy.close(), site.close()])
    },
  }
}

/** Email addresses enrolled in a sandbox flow, oldest first. */
export function enrolledEmails(fake: InfobipFake, campaignId: string): string[] {
  return fake.flowParticipants(campaignId).map((p) => p.person.contactInformation?.email?.[0]?.address ?? '')
}
