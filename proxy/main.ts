import { ConfigError } from './config/load'
import { EnvError, type ProxyEnv, readEnv } from './env'
import { createLogger } from './log'
import { type RunningServer, startServer } from './server'
import { describeAuth } from './upstream/infobip-auth'

/** One line an operator can act on, for the usual ways a start fails. */
function startupProblem(error: unknown): string {
  if (error instanceof ConfigError || error instanceof EnvError) {
    return error.message
  }
  const { code, path, message } = error as NodeJS.ErrnoException
  if (code === 'EADDRINUSE') {
    return `cannot listen: the port is in use (${message}); set PORT to another port`
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'SQLITE_CANTOPEN') {
    return `cannot use ${path ?? 'the data directory'} (${code}): set FLOWFORM_DATA_DIR to a writable directory`
  }
  return `cannot start: ${error instanceof Error ? error.message : String(error)}`
}

/** The Node entry: read the environment, start the server, say which mode it runs in, stop cleanly. */
async function main(): Promise<void> {
  const log = createLogger()
  let env: ProxyEnv
  let server: RunningServer
  try {
    env = readEnv()
    server = await startServer({ env, log })
  } catch (error) {
    console.error(`flowform: ${startupProblem(error)}`)
    process.exit(1)
  }
  const { runtime, url } = server
  const config = runtime.loaded.source ?? 'the built-in demo config'
  const lines =
    runtime.mode === 'sandbox'
      ? [
          'flowform: SANDBOX mode: no Infobip credentials are set, so an in-process fake of Infobip answers.',
          `  demo shop:  ${url}/`,
        ]
      : [`flowform: LIVE mode: calling Infobip at ${env.infobip?.baseUrl} with ${env.infobip ? describeAuth(env.infobip.auth) : ''}.`]
  if (runtime.loaded.source !== null && runtime.mode === 'sandbox') {
    lines.push('  (no demo page: a config file is in use)')
  }
  lines.push(
    `  widget:     ${url}/flowform.js`,
    `  config:     ${config}`,
    `  data:       ${env.dataDir}`,
    `  rapidpro:   ${runtime.rapidproFake ? 'sandbox fake' : runtime.rapidpro ? (env.rapidpro?.baseUrl ?? 'on') : 'off'}`,
    `  moments:    reports ${env.momentsNotify ? `pushed to ${new URL(env.momentsNotify.url).pathname}` : 'polled'}`,
  )
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
