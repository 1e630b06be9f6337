import { ConfigError } from './config/load'
import { EnvError, type ProxyEnv, readEnv } from './env'
import { createLogger } from './log'
import { type RunningServer, startServer } from './server'

/** The Node entry: read the environment, start the server, say which mode it runs in, stop cleanly. */
async function main(): Promise<void> {
  const log = createLogger()
  let env: ProxyEnv
  let server: RunningServer
  try {
    env = readEnv()
    server = await startServer({ env, log, trustProxy: process.env.TRUST_PROXY === '1' })
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EnvError) {
      console.error(`flowform: ${error.message}`)
      process.exit(1)
    }
    throw error
  }
  const { runtime, url } = server
  const config = runtime.loaded.source ?? 'the built-in demo config'
  const lines =
    runtime.mode === 'sandbox'
      ? [
          'flowform: SANDBOX mode: no Infobip credentials are set, so an in-process fake of Infobip answers.',
          `  demo shop:  ${url}/`,
        ]
      : [`flowform: LIVE mode: calling Infobip at ${env.infobip?.baseUrl}.`]
  if (runtime.loaded.source !== null && runtime.mode === 'sandbox') {
    lines.push('  (no demo page: a config file is in use)')
  }
  lines.push(`  widget:     ${url}/flowform.js`, `  config:     ${config}`, `  data:       ${env.dataDir}`)
  console.info(lines.join('\n'))
  log.info({ url, mode: runtime.mode }, 'listening')

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down')
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

void main()
