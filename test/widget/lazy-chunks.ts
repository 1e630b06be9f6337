import { vi } from 'vitest'

/*
 * The widget tests' stand-in for the lazy chunks (widget/lazy/chunk.ts): the source modules,
 * imported once up front, so a chunk "arrives" within a few microtasks as a cached one would.
 * Loaded for every widget test (vitest.config.ts setupFiles).
 */
vi.mock('../../widget/lazy/chunk', async () => {
  const chunks = {
    challenge: await import('../../widget/challenge/index'),
    dialog: await import('../../widget/dialog/index'),
    submit: await import('../../widget/form/submit'),
  }
  return { loadChunk: (name: keyof typeof chunks) => Promise.resolve(chunks[name]) }
})
