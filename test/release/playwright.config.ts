import { defineConfig } from '@playwright/test';

/**
 * The packaged app's check, run by the release workflow (.github/workflows/package.yml) after
 * `npm run package`: Playwright launches the build in dist/ through its Electron support. Not part of
 * `npm test`, whose Playwright config (../../playwright.config.ts) reads test/e2e only: this one needs a
 * packaged app for the machine it runs on, and a model in HEARTH_MODELS_DIR.
 */
export default defineConfig({
  testDir: '.',
  testMatch: 'packaged.spec.ts',
  outputDir: '../../test-results/release',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // A cold start of a freshly installed app on a CI runner, then a model load and a reply.
  timeout: 240_000,
  expect: { timeout: 30_000 },
  reporter: [['list']]
});
