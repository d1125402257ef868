/**
 * Figure 6: from spawning `hearth serve` on a fresh data folder until a Chromium page (already
 * running, new profile context: nothing cached) has loaded the app and its message box is visible
 * and enabled. The models folder already holds the test model (no demo model is written).
 */
import { freshFolders, log, median, ms, removeFolder, startServer } from './lib.mjs';

export async function measureColdStart(browser, runs = 3) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const folders = freshFolders('cold');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    let server = null;
    try {
      server = await startServer(folders);
      const printedAt = performance.now();
      await page.goto(server.pageUrl, { waitUntil: 'commit' });
      await page.locator('textarea[aria-label="Message"]:enabled').waitFor({ state: 'visible', timeout: 30_000 });
      const readyAt = performance.now();
      times.push(readyAt - server.spawnedAt);
      log(`cold start ${i + 1}/${runs}: ${ms(readyAt - server.spawnedAt)} ms (server up after ${ms(printedAt - server.spawnedAt)} ms, page ${ms(readyAt - printedAt)} ms)`);
    } finally {
      await context.close();
      if (server) await server.stop();
      removeFolder(folders.root);
    }
  }
  return median(times);
}
