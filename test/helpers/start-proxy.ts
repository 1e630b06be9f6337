import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BotRuntimeOptions } from '../../proxy/signup/bots/from-env'
import { type ProxyEnv, readEnv } from '../../proxy/config/env'
import { createMemoryLogger } from '../../proxy/common/log'
import { type RunningServer, startServer } from '../../proxy/server'
import { type InfobipFake, infobipFakeOf } from '../../fakes/infobip-fake'
import { tempDir } from './temp-dir'

/**
 * The real Node server on a free loopback port, built from environment variables exactly as
 * `npm start` builds it, with a temp data dir removed after the test file.
 */
export async function startProxy(
  vars: Record<string, string> = {},
  options: { config?: unknown; bots?: BotRuntimeOptions } = {},
): Promise<RunningServer & { env: ProxyEnv; logText: () => string; fake: InfobipFake | null }> {
  const dir = tempDir('e2e')
  const extra: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', FLOWFORM_DATA_DIR: join(dir, 'data') }
  if (options.config !== undefined) {
    extra.FLOWFORM_CONFIG = join(dir, 'flowform.config.json')
    writeFileSync(extra.FLOWFORM_CONFIG, JSON.stringify(options.config))
  }
  const env = readEnv({ ...extra, ...vars })
  const memory = createMemoryLogger()
  // Bot checks off unless asked for: a scripted browser fills a form faster than the timing token's
  // minimum (issue 8; test/proxy/bots/ covers the checks, test/e2e/bot-defense.test.ts the widget's part).
  const bots = options.bots ?? { enabled: false }
  const server = await startServer({ env, log: memory.log, waitMs: 3_000, bots })
  // The runtime knows its fake only as a fetch handler; tests want its levers.
  return { ...server, env, logText: memory.text, fake: infobipFakeOf(server.runtime.fake) }
}
