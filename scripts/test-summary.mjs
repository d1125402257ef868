// Sums the suites' machine-readable reports into the one closing line CI reads: "N passed, N failed".
// A suite whose report is missing did not run to the end (an earlier step failed): it counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const reports = [
  ['Vitest (unit + integration)', 'test-reports/vitest.json', (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests })],
  ['Playwright (end-to-end)', 'test-reports/playwright.json', (r) => ({ passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped })]
];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [suite, file, count] of reports) {
  if (!existsSync(file)) {
    console.log(`${suite}: no report (the suite did not run)`);
    failed += 1;
    continue;
  }
  const figures = count(JSON.parse(readFileSync(file, 'utf8')));
  console.log(`${suite}: ${figures.passed} passed, ${figures.failed} failed, ${figures.skipped} skipped`);
  passed += figures.passed;
  failed += figures.failed;
  skipped += figures.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
