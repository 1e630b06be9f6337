// vitest globalSetup: one PostgreSQL server for the whole run (postgres-server.ts), its URL given
// to the test files (`inject('postgresUrl')`, test/helpers/postgres.ts), stopped at the end. The
// proxy and e2e projects both list this file; the second finds the URL the first put in the
// environment and starts nothing.
import type { TestProject } from 'vitest/node'
import { findPostgres } from './postgres-server'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findPostgres()
  if (server.source === 'throwaway') {
    console.info(`PostgreSQL for the tests: a throwaway server at ${server.url}`)
  }
  process.env.FLOWFORM_TEST_DATABASE_URL ??= server.url
  project.provide('postgresUrl', server.url)
  return () => server.stop()
}
