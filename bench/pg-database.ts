// A fresh PostgreSQL database for a benchmark, on the server the tests would use
// (test/helpers/postgres-server.ts: FLOWFORM_TEST_DATABASE_URL, 127.0.0.1:5432, else a throwaway).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { findPostgres } from '../test/helpers/postgres-server'

export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = await findPostgres()
  const name = `flowform_bench_${randomBytes(6).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(server.url)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await server.stop()
    },
  }
}
