import preact from '@preact/preset-vite'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [preact()],
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'proxy',
          include: ['test/proxy/**/*.test.ts', 'test/contract/**/*.test.ts'],
          environment: 'node',
          // A PostgreSQL server for the shared store's tests: test/helpers/postgres-server.ts.
          globalSetup: ['test/helpers/postgres-global.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'widget',
          include: ['test/widget/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          // The lazy chunks come from their source modules (the bundle imports them by URL).
          setupFiles: ['test/widget/lazy-chunks.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/postgres-global.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
