import { ConfigError } from './config/load'
import { EnvError, type ProxyEnv, readEnv } from './config/env'
import { createLogger, type Logger } from './common/log'
import { stopOnSignals } from './stop-on-signals'
import { logDestination } from './log-transport'
import { type RunningServer, startServer } from './server'
import { redact } from './common/redact'
import { describeAuth } from './upstreams/infobip/auth'

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

/** What the terminal says at start: the mode, where to look, and what an operator should know. */
function banner(env: ProxyEnv, server: RunningServer): string[] {
  const { runtime, url } = server
  const demo = runtime.loaded.source === null
  const lines =
    runtime.mode === 'sandbox'
      ? ['flowform: SANDBOX mode: no Infobip credentials are set, so an in-process fake of Infobip answers.']
      : [
          `flowform: LIVE mode: calling Infobip at ${env.infobip?.baseUrl} with ${env.infobip ? describeAuth(env.infobip.auth) : ''}.`,
        ]
  if (demo) {
    lines.push(`  demo shop:  ${url}/`)
  }
  lines.push(
    `  widget:     ${url}/flowform.js`,
    `  config:     ${runtime.loaded.source ?? 'the built-in demo config'}`,
    `  data:       ${env.dataDir}`,
    `  rapidpro:   ${runtime.rapidproFake ? 'sandbox fake' : runtime.rapidpro ? (env.rapidpro?.baseUrl ?? 'on') : 'off'}`,
    `  moments:    reports ${env.momentsNotify ? `pushed to ${new URL(env.momentsNotify.url).pathname}` : 'polled'}`,
  )
  if (runtime.mode === 'live' && demo) {
    lines.push(
      '  WARNING: live Infobip with the built-in demo config: set FLOWFORM_CONFIG to your own forms and flows.',
    )
  }
  const base = env.infobip ? new URL(env.infobip.baseUrl) : null
  if (base?.protocol === 'http:' && !isLoopback(base.hostname)) {
    lines.push(`  WARNING: ${base.origin} is plain http: the Infobip credentials travel unencrypted. Use https.`)
  }
  return lines
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/** The Node entry: read the environment, start the server, say which mode it runs in, stop cleanly. */
async function main(): Promise<void> {
  let env: ProxyEnv
  let server: RunningServer
  let log: Logger
  try {
    env = readEnv()
    log = createLogger({ level: env.logLevel, destination: await logDestination() })
    server = await startServer({ env, log })
  } catch (error) {
    // A start can fail on an upstream's answer (a form definition), which may echo a credential.
    console.error(`flowform: ${redact(startupProblem(error))}`)
    process.exit(1)
  }
  const { runtime, url } = server
  console.info(banner(env, server).join('\n'))
  log.info({ url, mode: runtime.mode }, 'listening')
  stopOnSignals(server, log)
}

void main()
