/**
 * Figure 4: the real UI while a 2000-token reply streams into it. A requestAnimationFrame loop
 * records the longest gap between frames (the longest the renderer went without painting: every
 * long task shows up in it, plus up to one frame interval), and a PerformanceObserver records the
 * long tasks Chromium reports (those of 50 ms or more).
 */
import { log, modelName, prompt } from './lib.mjs';

export const streamTokens = 2000;
const title = 'Streaming benchmark';

export async function measureStreaming(server, browser) {
  await server.call('engine.load', { model: modelName });
  const conversation = await server.call('conversations.create', {
    title,
    model: modelName,
    settings: { temperature: 0, maxTokens: streamTokens, stopAtEos: false }
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.pageUrl);
    const composer = page.locator('textarea[aria-label="Message"]');
    await composer.waitFor({ state: 'visible' });
    await page.locator(`[data-testid="conversation-item"] button.open[title="${title}"]`).click();
    await page.locator(`[data-testid="conversation-item"] button.open[title="${title}"][aria-current="page"]`).waitFor();
    await composer.fill(prompt);
    // Settle, then watch: frames from now on, long tasks from now on.
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      const watch = { start: performance.now(), longTasks: [], frames: 0, longestGap: 0, last: null, running: true };
      window.__hearthWatch = watch;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.startTime >= watch.start) watch.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
      const frame = (now) => {
        if (watch.last !== null) watch.longestGap = Math.max(watch.longestGap, now - watch.last);
        watch.last = now;
        watch.frames++;
        if (watch.running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const startedAt = Date.now();
    await composer.press('Enter');
    await page
      .locator('[data-testid="message"][data-role="assistant"][data-status="complete"], [data-testid="message"][data-role="assistant"][data-status="error"]')
      .waitFor({ timeout: 180_000 });
    // One more frame after the end, so the final render counts too.
    const watched = await page.evaluate(
      () =>
        new Promise((resolve) =>
          requestAnimationFrame(() =>
            setTimeout(() => {
              const watch = window.__hearthWatch;
              watch.running = false;
              resolve({ longestGap: watch.longestGap, frames: watch.frames, longTasks: watch.longTasks, elapsed: performance.now() - watch.start });
            }, 0)
          )
        )
    );
    const stored = await server.call('conversations.get', { id: conversation.id });
    const reply = stored.messages.at(-1);
    if (reply.status !== 'complete' || reply.metrics?.outputTokens !== streamTokens) {
      throw new Error(`the streamed reply ended ${reply.status} with ${reply.metrics?.outputTokens} tokens (${reply.metrics?.stopReason}), not ${streamTokens}`);
    }
    if (pageErrors.length) throw new Error(`the page failed while streaming: ${pageErrors.join('; ')}`);
    const longest = watched.longTasks.length ? Math.max(...watched.longTasks) : 0;
    log(
      `streaming: ${streamTokens} tokens in ${((Date.now() - startedAt) / 1000).toFixed(1)} s at ${reply.metrics.decodeTokensPerSecond.toFixed(0)} tok/s; ` +
        `${watched.frames} frames, longest frame gap ${watched.longestGap.toFixed(1)} ms; ` +
        `${watched.longTasks.length} long tasks (>= 50 ms)${watched.longTasks.length ? `, longest ${longest.toFixed(0)} ms` : ''}`
    );
    return { longestGap: watched.longestGap, longestTask: longest, longTasks: watched.longTasks.length };
  } finally {
    await context.close();
  }
}
