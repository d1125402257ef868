/**
 * Figures 3 and 5, on one history filled through the app's own import (`conversations.import`, the
 * JSON export format): conversations of 500 to 1500 messages, one of 2 and one of 5000, 100,000
 * messages of generated chat text in all (see text.mjs).
 */
import { log, ms, percentile } from './lib.mjs';
import { TextGenerator, exportedConversation, vocabulary } from './text.mjs';

export const totalMessages = 100_000;
export const longConversationMessages = 5_000;
export const longTitle = 'Long conversation (5000 messages)';
const shortTitle = 'Short conversation';
const marker = 'zyzzyva-last-message';
const searches = 200;

export async function fillHistory(server) {
  const text = new TextGenerator(20240601);
  const started = performance.now();
  const day = 86_400_000;
  const base = Date.now() - 400 * day;
  let stored = 0;
  let index = 0;
  const rest = totalMessages - longConversationMessages - 2; // the short conversation has 2
  while (stored < rest) {
    // 500 to 1500 messages each (an even count, so every question has its answer).
    const count = Math.min(rest - stored, 2 * text.int(250, 750));
    const at = base + index * 4 * day;
    const title = text.sentence(3, 7).replace(/[.!]$/, '');
    await server.call('conversations.import', { content: JSON.stringify(exportedConversation(title, text.messages(count, at), at)) });
    stored += count;
    index++;
  }
  await server.call('conversations.import', {
    content: JSON.stringify(exportedConversation(shortTitle, text.messages(2, Date.now() - day), Date.now() - day))
  });
  const long = text.messages(longConversationMessages, Date.now() - 2 * day);
  long.at(-1).content += `\n\nThe end: ${marker}.`;
  await server.call('conversations.import', { content: JSON.stringify(exportedConversation(longTitle, long, Date.now() - 2 * day)) });
  stored += longConversationMessages + 2;
  log(`history: ${stored} messages in ${index + 2} conversations imported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return stored;
}

/** `searches` different words from across the vocabulary (common to rare), each timed through the API as the search box calls it. */
export async function measureSearch(server) {
  const step = vocabulary.length / searches;
  const words = Array.from({ length: searches }, (_, i) => vocabulary[Math.floor(i * step)]);
  // A few untimed searches first (statements prepared, pages cached), with words not timed below.
  for (const word of ['weather', 'benchmark', 'guitar', 'recipe', 'docker'].filter((w) => !words.includes(w)).slice(0, 3)) {
    await server.call('history.search', { query: word, limit: 50 });
  }
  const times = [];
  let hits = 0;
  for (const word of words) {
    const started = performance.now();
    const result = await server.call('history.search', { query: word, limit: 50 });
    times.push(performance.now() - started);
    hits += result.length;
  }
  const p95 = percentile(times, 95);
  log(`search: ${searches} words, p50 ${ms(percentile(times, 50))} ms, p95 ${ms(p95)} ms, max ${ms(Math.max(...times))} ms, ${(hits / searches).toFixed(1)} hits per search`);
  return p95;
}

/**
 * Clicks the long conversation in the sidebar and times, in the page, from the click until the
 * frame that shows its last message (in the DOM, inside the visible part of the message list) has
 * been painted. Median of `runs`, switching to a short conversation in between.
 */
export async function measureOpen(server, browser, runs = 3) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.pageUrl);
    const item = (title) => page.locator(`[data-testid="conversation-item"] button.open[title="${title}"]`);
    await item(longTitle).waitFor();
    const times = [];
    for (let i = 0; i < runs; i++) {
      await item(shortTitle).click();
      await page.locator('[data-testid="message"]').nth(1).waitFor();
      await page.waitForFunction((count) => document.querySelectorAll('[data-testid="message"]').length === count, 2);
      await page.waitForTimeout(300);
      const elapsed = await page.evaluate(
        ({ title, marker }) =>
          new Promise((resolve, reject) => {
            const button = [...document.querySelectorAll('[data-testid="conversation-item"] button.open')].find((b) => b.title === title);
            if (!button) return reject(new Error(`no sidebar item "${title}"`));
            let found = false;
            const shown = () => {
              const messages = document.querySelectorAll('[data-testid="message"]');
              const last = messages[messages.length - 1];
              if (!last || !last.textContent.includes(marker)) return false;
              const list = document.querySelector('section[aria-label="Messages"]');
              const box = last.getBoundingClientRect();
              const view = (list ?? document.documentElement).getBoundingClientRect();
              return box.bottom > view.top && box.top < view.bottom && box.height > 0;
            };
            const check = () => {
              if (found || !shown()) return;
              found = true;
              observer.disconnect();
              // The frame with it: after the next animation frame's rendering (a task queued from rAF runs after paint).
              requestAnimationFrame(() => {
                const channel = new MessageChannel();
                channel.port1.onmessage = () => resolve(performance.now() - clickedAt);
                channel.port2.postMessage(null);
              });
            };
            const observer = new MutationObserver(check);
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
            const poll = () => {
              check();
              if (!found) requestAnimationFrame(poll);
            };
            setTimeout(() => !found && reject(new Error('the last message did not show within 30 s')), 30_000);
            const clickedAt = performance.now();
            button.click();
            requestAnimationFrame(poll);
          }),
        { title: longTitle, marker }
      );
      times.push(elapsed);
      log(`open ${longConversationMessages}-message conversation, run ${i + 1}/${runs}: ${ms(elapsed)} ms`);
    }
    // The list draws the latest messages and offers the rest on request: check that all of them are there.
    const drawn = await page.locator('[data-testid="message"]').count();
    const earlier = await page.getByRole('button', { name: /Show earlier messages/ }).textContent().catch(() => null);
    const hidden = Number((earlier?.match(/\(([\d,]+) more\)/)?.[1] ?? '0').replaceAll(',', ''));
    if (drawn + hidden !== longConversationMessages) throw new Error(`the opened conversation has ${drawn} messages drawn and ${hidden} earlier, not ${longConversationMessages}`);
    if (pageErrors.length) throw new Error(`the page failed: ${pageErrors.join('; ')}`);
    return times;
  } finally {
    await context.close();
  }
}

/**
 * The p99 latency of a cheap call (`app.info`), made back to back by a second client while a
 * conversation of about 45 MB is imported: what every other client feels during a big import.
 */
export async function measureImportLatency(server) {
  const text = new TextGenerator(20251130);
  const at = Date.now() - 86_400_000;
  // Just over 45 MB, under the 50 MB an import may be.
  const messages = [];
  let size = 0;
  while (size < 45_000_000) {
    const more = text.messages(200, at);
    messages.push(...more);
    size += JSON.stringify(more).length;
  }
  const content = JSON.stringify(exportedConversation('Imported while others wait', messages, at));
  const times = [];
  let importing = true;
  const started = performance.now();
  const imported = server.call('conversations.import', { content }).finally(() => (importing = false));
  while (importing) {
    const sent = performance.now();
    await server.call('app.info');
    times.push(performance.now() - sent);
  }
  await imported;
  const p99 = percentile(times, 99);
  log(`import of ${(content.length / 1e6).toFixed(1)} MB (${messages.length} messages) took ${ms(performance.now() - started)} ms; ${times.length} calls meanwhile, p50 ${ms(percentile(times, 50))} ms, p99 ${ms(p99)} ms, max ${ms(Math.max(...times))} ms`);
  return p99;
}

/** How long the startup check of a history (SQLite's quick_check, as Hearth runs it before opening) takes on `file`. */
export async function measureStartupCheck(file) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    const started = performance.now();
    const result = db.pragma('quick_check', { simple: true });
    const elapsed = performance.now() - started;
    if (result !== 'ok') throw new Error(`quick_check: ${result}`);
    return elapsed;
  } finally {
    db.close();
  }
}
