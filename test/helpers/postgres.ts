// A fresh PostgreSQL database per test file (random name, dropped afterwards), so that files run in
// parallel without seeing each other's rows. The server comes from postgres-global.ts.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, inject } from 'vitest'

const made: { server: string; name: string }[] = []

// Registered when the test file imports this helper (as temp-dir.ts does): after-hooks run in
// reverse order, so the file's own hooks (closing its pools) run before the databases are dropped.
afterAll(async () => {
  for (const { server, name } of made.splice(0)) {
    await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
})

/** postgres://…/<new database>; dropped with everything in it after the file. */
export async function freshDatabase(): Promise<string> {
  const server = inject('postgresUrl') ?? process.env.FLOWFORM_TEST_DATABASE_URL
  if (!server) {
    throw new Error('no PostgreSQL for the tests: test/helpers/postgres-global.ts is not in the vitest config')
  }
  return createDatabase(server)
}

export async function createDatabase(server: string): Promise<string> {
  const name = `flowform_test_${randomBytes(6).toString('hex')}`
  await admin(server, `CREATE DATABASE ${name}`)
  made.push({ server, name })
  const url = new URL(server)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
