import { serve } from '@hono/node-server'
import { ConfigError } from './config/load'
import { EnvError, readEnv } from './env'
import { createLogger } from './log'
import { createRuntime } from './runtime'

/** The Node adapter: read the environment, build the runtime, listen, shut down cleanly. */
function main(): void {
  const log = createLogger()
  let runtime: ReturnType<typeof createRuntime>
  let env: ReturnType<typeof readEnv>
  try {
    env = readEnv()
    const publicOrigins = [`http://${env.host}:${env.port}`, `http://localhost:${env.port}`, `http://127.0.0.1:${env.port}`]
    runtime = createRuntime({ env, log, publicOrigins, trustProxy: process.env.TRUST_PROXY === '1' })
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EnvError) {
      console.error(`flowform: ${error.message}`)
      process.exit(1)
    }
    throw error
  }
  const server = serve({ fetch: runtime.app.fetch, port: env.port, hostname: env.host }, (info) => {
    const url = `http://${env.host}:${info.port}`
    const config = runtime.loaded.source ?? 'the built-in demo config'
    if (runtime.mode === 'sandbox') {
      console.info(
        [
          `flowform: SANDBOX mode — no Infobip credentials set; an in-process fake of Infobip answers.`,
          `  demo shop:  ${url}/`,
          `  widget:     ${url}/flowform.js`,
          `  config:     ${config}`,
          `  data:       ${env.dataDir}`,
        ].join('\n'),
      )
    } else {
      console.info(
        [
          `flowform: LIVE mode — calling Infobip at ${env.infobip?.baseUrl} (${env.infobip?.auth.kind === 'app' ? 'API key' : 'Basic'} auth).`,
          `  widget:     ${url}/flowform.js`,
          `  config:     ${config}`,
          `  data:       ${env.dataDir}`,
        ].join('\n'),
      )
    }
    log.info({ port: info.port, mode: runtime.mode }, 'listening')
  })
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down')
    server.close()
    void runtime.close().then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

main()
