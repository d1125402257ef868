import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';
import { rendererAlias } from './renderer-alias.ts';

export default defineConfig({
  // The renderer's stores are runes modules. Compiled for the client, as the app runs them: Vitest runs in Node,
  // where the plugin would give the server output, whose $state and $derived are not reactive.
  plugins: [
    svelte({
      configFile: resolve(import.meta.dirname, 'src-renderer/svelte.config.js'),
      dynamicCompileOptions: () => ({ generate: 'client' })
    })
  ],
  // The renderer modules under test import the contract as `$api/…`, as the renderer build does.
  resolve: { alias: rendererAlias },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: the node-llama-cpp suites each load a model; running files in parallel only adds contention.
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-reports/vitest.json' }]]
  }
});
