import { readFileSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import type { BenchmarkResult, Conversation, ConversationWithMessages, CostSettings, ReplyRecord } from '../../src-main/api';
import { formatDuration, formatRate } from '../../src-main/api/format';
import { formatStatistic } from '../../src-renderer/src/lib/format';
import { callApi, expect, lastReply, openDashboard, pickModel, setSampling, storiesModel, test, type HearthServer } from './fixtures';

/** Stores one short reply through the API, so there is a measured speed whatever ran before. */
async function storeReply(request: APIRequestContext, server: HearthServer): Promise<void> {
  await callApi(request, server, 'engine.load', { model: storiesModel });
  const conversation = (await callApi(request, server, 'conversations.create', { model: storiesModel, settings: { maxTokens: 16 } })) as Conversation;
  await callApi(request, server, 'chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
  await expect
    .poll(async () => ((await callApi(request, server, 'conversations.get', { id: conversation.id })) as ConversationWithMessages).messages.at(-1)?.status, {
      timeout: 60_000
    })
    .toBe('complete');
}

/** Tomorrow as a date input's value, in this machine's time zone (the browser's too: it runs here). */
function tomorrow(): string {
  const day = new Date();
  day.setDate(day.getDate() + 1);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

test('a reply’s stored figures show in its timeline and the dashboard; live memory is drawn; the CSV has a line per reply', async ({ page, request, hearth }) => {
  const storedReplies = async () => (await callApi(request, hearth, 'dashboard.replies', {})) as ReplyRecord[];

  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { maxTokens: 24 });
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  const reply = lastReply(page);
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  const messageId = Number((await reply.getAttribute('id'))?.replace('message-', ''));
  const stored = (await storedReplies()).find((record) => record.messageId === messageId);
  if (!stored) throw new Error(`reply ${messageId} is not among the stored replies`);
  const { decodeTokensPerSecond, ttftMs } = stored.metrics;
  if (decodeTokensPerSecond === null || ttftMs === null) throw new Error('the reply was stored without its speed');

  // The reply's own timeline, under it in the chat.
  const toggle = reply.getByRole('button', { name: 'Timeline' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const timeline = reply.getByTestId('reply-timeline');
  await expect(timeline.getByRole('row', { name: `Decode speed ${formatRate(decodeTokensPerSecond)}`, exact: true })).toBeVisible();
  await expect(timeline.getByRole('row', { name: `Time to first token ${formatDuration(ttftMs)}`, exact: true })).toBeVisible();
  await expect(timeline.getByRole('row', { name: /^Context used [\d,]+ of [\d,]+ tokens/ })).toBeVisible();

  await openDashboard(page);
  const row = page.getByRole('table', { name: 'Replies' }).locator(`tr[data-message-id="${messageId}"]`);
  await expect(row).toBeVisible();
  expect(Number(await row.getAttribute('data-decode-tps'))).toBe(decodeTokensPerSecond);
  expect(Number(await row.getAttribute('data-ttft-ms'))).toBe(ttftMs);
  await expect(row.getByTestId('decode')).toHaveText(formatRate(decodeTokensPerSecond));
  await expect(row.getByTestId('ttft')).toHaveText(formatDuration(ttftMs));

  // The sampler runs while the dashboard is open: a point a second.
  for (const name of ['Live memory', 'Live CPU']) {
    const chart = page.getByRole('figure', { name });
    await expect(chart.locator('canvas')).toBeVisible();
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(1);
  }

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('hearth-replies.csv');
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^time,conversation,model,/);
  // No filter is set: every stored reply (other tests' included) is a line.
  expect(lines).toHaveLength(1 + (await storedReplies()).length);

  // A date range the reply is not in empties the view; clearing the filters brings it back.
  await page.getByLabel('From').fill(tomorrow());
  await expect(page.getByText('No replies match')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(row).toBeVisible();
});

test('a benchmark runs from the dashboard, lists its figures, and leaves the chat model loaded', async ({ page, request, hearth }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await openDashboard(page);
  const panel = page.getByRole('region', { name: 'Benchmark' });
  await panel.getByLabel('Model').selectOption({ label: storiesModel });
  await panel.getByLabel('Prompt tokens').fill('16');
  await panel.getByLabel('Generated tokens').fill('8');
  await panel.getByLabel('Repetitions').fill('2');
  await panel.getByLabel('Parallel sequences').fill('1, 2');
  await panel.getByRole('button', { name: 'Run' }).click();
  // While it runs: the step from `bench.progress`, and a bar.
  await expect(panel.getByRole('progressbar', { name: 'Benchmark progress' })).toBeVisible();
  await expect(panel.getByRole('status')).toHaveText(/\(\d+ of \d+\)$/);
  await expect(panel.getByRole('button', { name: 'Run' })).toBeEnabled({ timeout: 60_000 });
  await expect(panel.getByRole('progressbar')).toBeHidden();
  await expect(panel.getByRole('alert')).toHaveCount(0);
  // The model the chat had loaded is loaded again, and the status bar says so.
  await expect(page.getByTestId('engine-status')).toContainText(`${storiesModel} · context`);

  const [latest] = (await callApi(request, hearth, 'bench.list', {})) as BenchmarkResult[];
  expect(latest.model).toBe(storiesModel);
  const item = panel.locator(`[data-benchmark-id="${latest.id}"]`);
  await expect(item.getByTestId('bench-tg')).toContainText(formatStatistic(latest.decodeTokensPerSecond, 'tok/s'));
  await expect(item.getByTestId('bench-pp')).toContainText(formatStatistic(latest.prefillTokensPerSecond, 'tok/s'));
  await expect(item.getByTestId('bench-limit')).toContainText(`${Math.round(latest.percentOfLimit)}% of limit`);
  // Plain words: the device by name, one thread in the singular, no nested brackets.
  await expect(item.getByTestId('bench-device')).toHaveText(/^CPU \(.+\) · 1 thread · 0 GPU layers · context [\d,]+$/);
  await expect(item.getByTestId('bench-limit')).toContainText('GB/s, measured by a CPU memory test');
  await expect(item.getByRole('table', { name: 'Parallel decoding' }).getByRole('row')).toHaveCount(1 + latest.parallel.length);
  // The cost panel now prices a token from this benchmark.
  await expect(page.getByTestId('local-cost')).toContainText(`the latest benchmark (${storiesModel}, decode mean)`);
});

test('cost settings are edited and saved, and cloud prices below the local cost are marked', async ({ page, request, hearth }) => {
  await storeReply(request, hearth);
  await page.goto('/');
  await openDashboard(page);
  const panel = page.getByRole('region', { name: 'Cost' });
  await panel.getByLabel('Power draw while generating (W)').fill('200');
  await panel.getByRole('button', { name: 'Add cloud price' }).click();
  const added = (await panel.getByRole('textbox', { name: /^Cloud model \d+$/ }).count()).toString();
  await panel.getByRole('textbox', { name: `Cloud model ${added}` }).fill('Free tier');
  await panel.getByRole('spinbutton', { name: `Cloud price ${added}` }).fill('0');
  await panel.getByRole('button', { name: 'Remove cloud price 1' }).click();
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('button', { name: 'Save' })).toBeDisabled();

  const saved = (await callApi(request, hearth, 'settings.cost', {})) as CostSettings;
  expect(saved.watts).toBe(200);
  expect(saved.cloudPrices.at(-1)).toEqual({ name: 'Free tier', per1MTokens: 0 });
  expect(saved.cloudPrices).toHaveLength(Number(added) - 1);

  // Any measured speed costs something: a free cloud model is cheaper, the others (a tiny model is fast) are not.
  await expect(panel.getByTestId('local-cost')).toContainText('per 1M tokens');
  const cloud = panel.getByRole('table', { name: 'Cloud prices' });
  await expect(cloud.getByRole('row', { name: /^Free tier / })).toContainText('cheaper than here');
  await expect(cloud.getByRole('row', { name: /GPT-4o \(output\)/ })).toContainText('costs more than here');
});
