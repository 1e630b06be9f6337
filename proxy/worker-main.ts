import { readEnv } from './config/env'
import { createLogger } from './common/log'
import { redact } from './common/redact'
import { logDestination } from './log-transport'
import { createRuntime } from './runtime'
import { stopOnSignals } from './stop-on-signals'

/**
 * `flowform worker`: delivery only, no HTTP listener. It builds the same runtime as the server
 * (config, upstream clients, Moments batching, the store, the worker) and runs the worker against
 * the configured store until SIGTERM or SIGINT. With FLOWFORM_DATABASE_URL, ingress instances
 * (`serve` with FLOWFORM_WORKER=off, or anything writing the same tables) accept signups and any
 * number of these deliver them.
 */
async function main(): Promise<void> {
  try {
    const env = readEnv()
    const log = createLogger({ level: env.logLevel, destination: await logDestination() })
    // The demo config allows the origins a server on PORT would have; a worker serves none of them.
    const publicOrigins = [`http://${env.host}:${env.port}`, `http://localhost:${env.port}`]
    const runtime = await createRuntime({ env: { ...env, worker: true }, log, publicOrigins })
    console.info(`flowform worker: delivering from ${runtime.store.where} (${runtime.mode} mode); no HTTP listener.`)
    log.info({ store: runtime.store.kind, mode: runtime.mode }, 'worker started')
    stopOnSignals({ close: () => runtime.close() }, log)
  } catch (error) {
    console.error(`flowform: ${redact(error instanceof Error ? error.message : String(error))}`)
    process.exit(1)
  }
}

void main()
