import { rmSync } from 'node:fs';
import { probeAnswer, probeThoughtOf, probeThoughtTokensOf, thinkingProbeIn } from '../fixtures/probes';
import { expect, lastReply, openDashboard, openView, pickModel, setSampling, test } from './fixtures';

/** Long enough a thought (about half a second on a 2-core machine) that the page shows it streaming. */
const steps = 800;
const probeFile = 'qwen3-long-thinker.gguf';

/**
 * Records, in the page, each state of the last reply's Thinking block: its heading, whether the thought
 * is on show and how much of it, how much answer there is, and the reply's status.
 */
const recordThinking = `(() => {
  window.__thinking = [];
  window.__heard = [];
  const live = document.querySelector('[data-testid="live-region"]');
  new MutationObserver(() => window.__heard.push(live.textContent)).observe(live, { subtree: true, childList: true, characterData: true });
  new MutationObserver(() => {
    const replies = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
    const last = replies[replies.length - 1];
    if (!last) return;
    const sample = {
      label: last.querySelector('[data-testid="thinking-label"]')?.textContent ?? null,
      thought: last.querySelector('[data-testid="thought"]')?.textContent.length ?? null,
      answer: (last.querySelector('.markdown')?.textContent ?? '').length,
      status: last.getAttribute('data-status')
    };
    const previous = window.__thinking[window.__thinking.length - 1];
    if (JSON.stringify(previous) !== JSON.stringify(sample)) window.__thinking.push(sample);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

interface Sample {
  label: string | null;
  thought: number | null;
  answer: number;
  status: string | null;
}

test('a reasoning model’s thinking streams in its own block, collapses when the answer starts, and its figures follow', async ({ page, context, hearth }) => {
  const probe = thinkingProbeIn(hearth.modelsDir, steps, probeFile);
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/');
    await pickModel(page, probeFile);
    await setSampling(page, { temperature: 0, maxTokens: 2048 });
    await page.evaluate(recordThinking);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('What is the answer?');
    await message.press('Enter');

    const reply = lastReply(page);
    await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
    const samples = (await page.evaluate('window.__thinking')) as Sample[];

    // While it thought: the block was open, its thought grew, a live timer and count ran, and no answer showed.
    const thinking = samples.filter((sample) => sample.status === 'streaming' && sample.label?.startsWith('Thinking…'));
    expect(thinking.length).toBeGreaterThanOrEqual(2);
    for (const sample of thinking) {
      expect(sample.answer).toBe(0);
      expect(sample.label).toMatch(/^Thinking… \d+(\.\d)? m?s · [\d,]+ tokens?$/);
    }
    const lengths = thinking.map((sample) => sample.thought ?? 0);
    expect(lengths.at(-1)!).toBeGreaterThan(lengths[0]);
    // Once the answer started, the thought folded away under "Thought for …".
    const answering = samples.filter((sample) => sample.answer > 0);
    expect(answering.length).toBeGreaterThan(0);
    for (const sample of answering) {
      expect(sample.thought).toBeNull();
      expect(sample.label).toMatch(/^Thought for /);
    }

    // Finished: the heading and the stats give the stored figures.
    const thoughtTokens = probeThoughtTokensOf(steps);
    await expect(reply.getByTestId('thinking-label')).toHaveText(new RegExp(`^Thought for \\d+(\\.\\d)? m?s · ${thoughtTokens.toLocaleString('en-US')} tokens$`));
    await expect(reply.getByTestId('reply-stats')).toContainText(`${thoughtTokens + 5} tokens · thought ${thoughtTokens} tokens in`);
    await expect(reply.locator('.markdown')).toHaveText(probeAnswer);

    // The thought opens on request; Copy copies the answer alone.
    await reply.getByRole('button', { name: /^Thought for/ }).click();
    await expect(reply.getByRole('region', { name: "The model's thinking" })).toHaveText(probeThoughtOf(steps));
    await reply.hover();
    await reply.getByRole('button', { name: 'Copy message' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(probeAnswer);

    // The timeline splits the thinking from the answer.
    await reply.getByRole('button', { name: 'Timeline' }).click();
    const timeline = reply.getByTestId('reply-timeline');
    await expect(timeline).toContainText('Time to first answer token');
    await expect(timeline).toContainText(`${thoughtTokens} thinking, 5 answer`);

    // Screen readers heard "Thinking…" once, then the answer: never the thought itself.
    await expect(page.getByTestId('live-region')).toContainText('Reply finished');
    const heard = (await page.evaluate('window.__heard')) as string[];
    expect(heard.filter((text) => text.includes('Thinking…'))).toHaveLength(1);
    expect(heard.some((text) => text.includes('step1'))).toBe(false);
    expect(heard.some((text) => text.includes(probeAnswer))).toBe(true);

    // The dashboard's row for the reply gives its thinking and its time to the answer.
    const messageId = (await reply.getAttribute('id'))!.replace('message-', '');
    await openDashboard(page);
    const row = page.getByRole('table', { name: 'Replies' }).locator(`tr[data-message-id="${messageId}"]`);
    await expect(row.getByTestId('thinking')).toHaveText(new RegExp(`^${thoughtTokens} · \\d+(\\.\\d)? m?s$`));
    await expect(row.getByTestId('ttfa')).toHaveText(/^\d+(\.\d)? m?s$/);
  } finally {
    rmSync(probe, { force: true });
  }
});

test('thinking switched off in the chat settings: the reply comes without a thought', async ({ page, hearth }) => {
  const probe = thinkingProbeIn(hearth.modelsDir, 0, 'qwen3-short-thinker.gguf');
  try {
    await page.goto('/');
    await pickModel(page, 'qwen3-short-thinker.gguf');
    await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
    await expect(page.getByTestId('thinking-support')).toContainText('off asks the template for its no-thinking form');
    await page.getByLabel('Temperature').fill('0');
    await page.getByLabel('Let the model think before it answers').uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('What is the answer?');
    await message.press('Enter');
    const reply = lastReply(page);
    await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
    await expect(reply.locator('.markdown')).toHaveText(probeAnswer);
    await expect(reply.getByTestId('thinking')).toHaveCount(0);
    await expect(reply.getByTestId('reply-stats')).not.toContainText('thought');
  } finally {
    rmSync(probe, { force: true });
  }
});

test('search covers thinking once Settings → History says so, and marks such hits', async ({ page, hearth, api }) => {
  const file = 'qwen3-searchable-thinker.gguf';
  const probe = thinkingProbeIn(hearth.modelsDir, 3, file);
  try {
    const conversation = (await api('conversations.create', { model: file, settings: { temperature: 0 } })) as { id: number };
    await api('chat.send', { conversationId: conversation.id, content: 'A question to think over' });
    await expect
      .poll(async () => ((await api('conversations.get', { id: conversation.id })) as { messages: { status: string }[] }).messages[1]?.status, { timeout: 30_000 })
      .toBe('complete');

    await page.goto('/');
    const search = page.getByRole('combobox', { name: 'Search chats' });
    await search.fill('step2');
    await expect(page.getByRole('status').filter({ hasText: 'No matches for “step2”' })).toBeVisible();

    await openView(page, 'Settings');
    const toggle = page.getByRole('switch', { name: 'Search thinking too' });
    await expect(toggle).not.toBeChecked();
    await toggle.click();
    await expect(toggle).toBeChecked();
    await search.fill('');
    await search.fill('step2');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'A question to think over' });
    await expect(hit).toContainText('Assistant (thinking):');
    await expect(hit.locator('mark')).toHaveText('step2');
  } finally {
    await api('settings.setHistory', { settings: { searchThoughts: false } });
    rmSync(probe, { force: true });
  }
});
