import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { rendererAlias } from './renderer-alias.ts';

// Native and heavyweight runtime packages stay outside the bundles and load from node_modules.
const runtimeExternals = ['better-sqlite3', 'node-llama-cpp', 'systeminformation', 'electron'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: runtimeExternals },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli.ts')
        },
        output: { format: 'es', entryFileNames: '[name].js' }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require anything: bundle everything into one CommonJS file.
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { preload: resolve(__dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte()],
    resolve: { alias: rendererAlias },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      // KaTeX's fonts must be files: the CSP's font-src is 'self', which refuses a font inlined as a data: URL.
      assetsInlineLimit: (file) => (/\.(?:woff2?|ttf)$/.test(file) ? false : undefined),
      rollupOptions: {
        input: resolve(__dirname, 'src-renderer/index.html'),
        // KaTeX (~260 kB) in a chunk of its own, beside the app's rather than inside it.
        output: { codeSplitting: { groups: [{ name: 'katex', test: /[\\/]node_modules[\\/]katex[\\/]/ }] } }
      }
    }
  }
});
