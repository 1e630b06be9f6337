// A PostgreSQL server for the tests, never a skip (issue 10 item 7), found in this order:
//   1. FLOWFORM_TEST_DATABASE_URL, when set;
//   2. a server at 127.0.0.1:5432 that lets user postgres in;
//   3. (or when FLOWFORM_TEST_POSTGRES=throwaway, to try this path on a machine that has a server)
//      a throwaway server from Debian's binaries: initdb and pg_ctl as the `postgres` OS user (when
//      run as root), fsync off, a free port, a temp dir; `apt-get install -y postgresql` first when
//      initdb is missing. `stop()` removes it.
// Used by test/helpers/postgres-global.ts (vitest globalSetup) and by the benchmarks.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './waiting'

export interface PostgresServer {
  /** postgres://postgres@host:port/postgres: the maintenance database, for CREATE DATABASE. */
  url: string
  source: 'env' | 'local' | 'throwaway'
  stop(): Promise<void>
}

export const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  const given = env.FLOWFORM_TEST_DATABASE_URL
  if (given) {
    return { url: given, source: 'env', stop: async () => {} }
  }
  if (env.FLOWFORM_TEST_POSTGRES !== 'throwaway' && (await answers(LOCAL_URL))) {
    return { url: LOCAL_URL, source: 'local', stop: async () => {} }
  }
  return startThrowaway()
}

/** Where Debian puts initdb and pg_ctl (not on PATH): /usr/lib/postgresql/<version>/bin. */
function binDir(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim()
  if (onPath) {
    return join(onPath, '..')
  }
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const version of versions) {
    if (existsSync(join(root, version, 'bin', 'initdb'))) {
      return join(root, version, 'bin')
    }
  }
  return null
}

export async function startThrowaway(): Promise<PostgresServer> {
  let bin = binDir()
  if (!bin) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    bin = binDir()
    if (!bin) {
      throw new Error('apt-get installed postgresql, but initdb is still not found')
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'flowform-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  // PostgreSQL refuses to run as root: the server and its files belong to the `postgres` user.
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin ?? '', tool), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin ?? '', tool), args, { stdio: 'pipe' })
  if (asRoot) {
    chmodSync(dir, 0o777)
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source: 'throwaway',
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
