import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

// One IIFE file with its CSS inlined as a string: the widget attaches styles to its own shadow root.
export default defineConfig({
  plugins: [preact()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
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
  },
})
