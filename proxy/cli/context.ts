import { createClients, type UpstreamClients } from '../upstreams/infobip/from-env'
import { type LoadedConfig, loadConfig } from '../config/load'
import { type ProxyEnv, readEnv } from '../config/env'
import { describeAuth } from '../upstreams/infobip/auth'
import { readSandboxLink, type SandboxLink } from '../upstreams/sandbox-link'
import type { CliIo, Printer } from './io'
import { closeOnExit } from './sessions'

/** What every command works with: the server's own environment, config and upstream clients. */
export interface CliContext {
  env: ProxyEnv
  loaded: LoadedConfig
  clients: UpstreamClients
  /** Where the config came from, for messages. */
  configName: string
}

export function readCliEnv(io: CliIo): ProxyEnv {
  return readEnv(io.env ?? process.env)
}

export function readCliConfig(env: ProxyEnv, io: CliIo): LoadedConfig {
  return loadConfig({
    path: env.configPath,
    ...(io.cwd ? { cwd: io.cwd } : {}),
    // Only the demo config uses these: the origins the server would allow on this port.
    demoOrigins: [`http://${env.host}:${env.port}`, `http://localhost:${env.port}`, `http://127.0.0.1:${env.port}`],
  })
}

/**
 * In sandbox mode (no upstream credentials), the sandbox proxy running on this data directory, if
 * any: its fakes hold the demo signups the operator wants to see (upstreams/sandbox-link.ts).
 */
export function runningSandbox(env: ProxyEnv): SandboxLink | null {
  return env.infobip || env.rapidpro ? null : readSandboxLink(env.dataDir)
}

/**
 * Reads env and config unless given (throwing EnvError / ConfigError with the server's messages),
 * builds the clients, then says on stderr which Infobip it talks to. No secret appears in that line.
 */
export async function createCliContext(
  io: CliIo,
  print: Printer,
  read?: { env: ProxyEnv; loaded: LoadedConfig },
): Promise<CliContext> {
  const env = read?.env ?? readCliEnv(io)
  const loaded = read?.loaded ?? readCliConfig(env, io)
  const sandboxLink = runningSandbox(env)
  const clients = await createClients(env, { ...(io.fetch ? { fetch: io.fetch } : {}), sandboxLink })
  closeOnExit(() => clients.infobip.close())
  if (env.infobip) {
    print.err(`flowform: calling Infobip at ${env.infobip.baseUrl} (${describeAuth(env.infobip.auth)}).`)
  } else if (sandboxLink) {
    print.err(`flowform: SANDBOX mode: acting on the fakes of the sandbox proxy running at ${sandboxLink.url}.`)
  } else {
    print.err(
      `flowform: SANDBOX mode: no Infobip credentials are set and no sandbox proxy is running with data in ${env.dataDir}, so a fresh in-process fake of Infobip answers (nothing real is read or changed).`,
    )
  }
  return { env, loaded, clients, configName: loaded.source ?? 'the built-in demo config' }
}
