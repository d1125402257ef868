// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = ['process', 'console', 'URL', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Buffer', 'AbortController', 'AbortSignal', 'TextDecoder', 'TextEncoder', 'Request', 'Response'];
const browserGlobals = ['window', 'document', 'EventSource', 'requestAnimationFrame', 'MessageChannel', 'MutationObserver', 'PerformanceObserver'];

/**
 * Lint for what the type checker does not catch. Promise rules use type information: a promise nobody
 * awaits or catches is how background work ends the process. Layering (which folder may import which)
 * is enforced by test/unit/architecture.test.ts, not here.
 */
export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'test-reports/**', 'dist/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.renderer.json'], tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': ['error', { allow: ['error', 'warn'] }]
    }
  },
  {
    // Command-line programs talk to their user on stdout.
    files: ['src-main/cli.ts', 'src-main/cli/**/*.ts', 'src-main/electron/launcher.ts', 'scripts/**/*.mjs', 'test/**/*.ts', 'bin/**/*.js'],
    rules: { 'no-console': 'off' }
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: Object.fromEntries(nodeGlobals.map((name) => [name, 'readonly'])) }
  },
  {
    // Copied into the built renderer as it is, and run by the page before the app's bundle.
    files: ['src-renderer/public/**/*.js'],
    languageOptions: { globals: Object.fromEntries(['document', 'localStorage', 'matchMedia'].map((name) => [name, 'readonly'])) }
  },
  {
    // The bench and the desktop harness drive real pages: parts of their scripts run in Chromium (page.evaluate).
    files: ['scripts/bench/**/*.mjs', 'test/desktop/**/*.mjs'],
    languageOptions: { globals: Object.fromEntries(browserGlobals.map((name) => [name, 'readonly'])) }
  }
);
