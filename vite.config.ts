import preact from '@preact/preset-vite'
import { build, defineConfig, type Plugin } from 'vite'

const define = { 'process.env.NODE_ENV': JSON.stringify('production') }

/**
 * The lazy chunks (widget/lazy/chunk.ts): parts only some forms need, each an ES module of its own
 * beside flowform.js (`flowform-<name>.js`), imported at run time by URL. Built apart from the
 * IIFE, which cannot split: a chunk shares no module with the main bundle (it gets what it needs
 * as arguments), so neither has to export anything to the other.
 */
export const LAZY_CHUNKS: Record<string, string> = {
  challenge: 'widget/challenge/index.ts',
  dialog: 'widget/dialog/index.ts',
  submit: 'widget/form/submit.ts',
}

function lazyChunks(): Plugin {
  let outDir = 'dist'
  let write = true
  return {
    name: 'flowform-lazy-chunks',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
      write = config.build.write
    },
    async closeBundle() {
      if (!write) {
        return
      }
      await build({
        configFile: false,
        logLevel: 'silent',
        define,
        plugins: [preact()],
        build: {
          outDir,
          emptyOutDir: false,
          target: 'es2020',
          sourcemap: false,
          lib: { entry: LAZY_CHUNKS, formats: ['es'], fileName: (_format, name) => `flowform-${name}.js` },
          // Minified in the output: vite leaves a library's ES build unminified.
          rollupOptions: { output: { chunkFileNames: 'flowform-[name]-[hash].js', minify: true } },
        },
      })
    },
  }
}

// One IIFE file with its CSS inlined as a string: the widget attaches styles to its own shadow root.
export default defineConfig({
  plugins: [preact(), lazyChunks()],
  define,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    lib: {
      entry: 'widget/main.ts',
      name: 'FlowformBundle',
      formats: ['iife'],
      fileName: () => 'flowform.js',
    },
    rollupOptions: {
      output: {
        /*
         * V8's explicit compile hint (Chromium 136 on): nearly every function of the bundle runs on
         * load, so they are compiled at once, where the script is streamed off the main thread,
         * rather than each one on the main thread at its first call. Other engines read a comment.
         * After minification, which would drop it.
         */
        postBanner: '//# allFunctionsCalledOnLoad',
      },
    },
  },
})
