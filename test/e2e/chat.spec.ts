import { brokenModel, expect, lastReply, pickModel, setSampling, storiesModel, test } from './fixtures';

/**
 * Records, in the page, each change of the last assistant reply (text length, status) to prove it
 * streamed, and each update of the screen-reader live region (with its time) to prove it is throttled.
 */
const recordReplyChanges = `(() => {
  window.__replySamples = [];
  window.__announcements = [];
  const live = document.querySelector('[data-testid="live-region"]');
  new MutationObserver(() => window.__announcements.push({ at: performance.now(), text: live.textContent }))
    .observe(live, { subtree: true, childList: true, characterData: true });
  const observer = new MutationObserver(() => {
    const replies = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
    const last = replies[replies.length - 1];
    if (!last) return;
    const length = (last.querySelector('.markdown')?.textContent ?? '').length;
    const status = last.getAttribute('data-status');
    const previous = window.__replySamples[window.__replySamples.length - 1];
    if (!previous || previous.length !== length || previous.status !== status) window.__replySamples.push({ length, status });
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-status'] });
})()`;

interface Sample {
  length: number;
  status: string | null;
}

interface Announcement {
  at: number;
  text: string;
}

test('a reply streams, is kept, can be found, and deleted with undo', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'New chat', exact: true })).toBeVisible();
  const picker = page.getByRole('combobox', { name: 'Model' });
  const broken = picker.locator('option', { hasText: brokenModel });
  await expect(broken).toBeDisabled();
  await expect(broken).toHaveAttribute('title', /GGUF/);
  await expect(page.getByTestId('engine-status')).toHaveText('No model loaded');
  await pickModel(page, storiesModel);
  await expect(page.getByTestId('engine-status')).toContainText(/context [\d,]+ · \d+ threads? · template: /);
  await setSampling(page, { temperature: 0 });

  await page.evaluate(recordReplyChanges);
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');

  const reply = lastReply(page);
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(reply).toContainText('there was a little girl named Lily');
  const stats = reply.getByTestId('reply-stats');
  await expect(stats).toBeVisible({ timeout: 60_000 });
  await expect(stats).toHaveText(/^\d+(\.\d)? tok\/s · .+ to first token · \d+ tokens · stopped: (max tokens|end of text|context full)$/);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  // It streamed: the text grew over several updates while the reply was still marked streaming.
  const samples = (await page.evaluate('window.__replySamples')) as Sample[];
  const streamed = samples.filter((sample) => sample.status === 'streaming' && sample.length > 0).map((sample) => sample.length);
  expect(streamed.length).toBeGreaterThanOrEqual(2);
  expect(streamed[streamed.length - 1]).toBeGreaterThan(streamed[0]);
  expect(samples[samples.length - 1].status).toBe('complete');

  // Screen readers heard the reply in a few polite chunks, at most one per ~1.5 s, not once per token.
  await expect(page.getByTestId('live-region')).toHaveAttribute('aria-live', 'polite');
  await expect.poll(async () => ((await page.evaluate('window.__announcements')) as Announcement[]).length).toBeGreaterThan(0);
  await expect(page.getByTestId('live-region')).toContainText('Reply finished');
  const announcements = (await page.evaluate('window.__announcements')) as Announcement[];
  expect(announcements.length).toBeLessThan(streamed.length);
  for (let i = 1; i < announcements.length; i++) expect(announcements[i].at - announcements[i - 1].at).toBeGreaterThan(1400);

  // The title came from the first message; the chat survives a reload.
  const sidebar = page.getByRole('navigation', { name: 'Conversations' });
  const item = sidebar.getByTestId('conversation-item').filter({ hasText: 'Once upon a time' });
  await expect(item).toHaveCount(1);
  await page.reload();
  await expect(item).toHaveCount(1);
  await item.getByRole('button', { name: 'Once upon a time', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Once upon a time');
  await expect(lastReply(page)).toContainText('there was a little girl named Lily');
  await expect(lastReply(page).getByTestId('reply-stats')).toContainText('tok/s');

  // Search (Ctrl+K focuses it) finds the reply and highlights the match; a hit opens its conversation.
  await page.getByRole('button', { name: 'New chat', exact: true }).click();
  await page.keyboard.press('Control+k');
  const search = page.getByRole('combobox', { name: 'Search chats' });
  await expect(search).toBeFocused();
  await search.fill('Lily');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toContainText('Once upon a time');
  await expect(hit.locator('mark').first()).toHaveText(/lily/i);
  await hit.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Once upon a time');
  await expect(lastReply(page)).toContainText('Lily');

  // Ctrl+N starts a new chat and puts the cursor in the message box.
  await page.keyboard.press('Control+n');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New chat');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();

  // Delete, undo, delete again.
  await item.hover();
  await item.getByRole('button', { name: 'Delete Once upon a time' }).click();
  await expect(item).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New chat');
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(item).toHaveCount(1);
  await item.hover();
  await item.getByRole('button', { name: 'Delete Once upon a time' }).click();
  await expect(item).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await expect(item).toHaveCount(0);
});

test('Stop (and Esc) leaves a partial reply marked "stopped by you"', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 0.8, maxTokens: 2000 });

  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  const reply = lastReply(page);
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(reply.locator('.markdown')).toContainText(/\w+/);
  await page.getByRole('button', { name: 'Stop' }).click();

  const stats = reply.getByTestId('reply-stats');
  await expect(stats).toContainText('stopped by you');
  const tokens = Number((await stats.textContent())?.match(/(\d+) tokens?/)?.[1]);
  expect(tokens).toBeGreaterThan(0);
  expect(tokens).toBeLessThan(2000);
  await expect(reply.locator('.markdown')).not.toBeEmpty();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  // The settings chosen before the first message belong to the conversation now.
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  await expect(page.getByLabel('Temperature')).toHaveValue('0.8');
  await expect(page.getByLabel('Max tokens')).toHaveValue('2000');
  await expect(page.getByLabel('Chat template')).toHaveAccessibleDescription(/Last used: .*base model/);
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Shift+Enter is a new line, not a send.
  await message.fill('The little dog');
  await message.press('Shift+Enter');
  await message.pressSequentially('ran');
  await expect(message).toHaveValue('The little dog\nran');
  await expect(page.getByTestId('message')).toHaveCount(2);

  // Esc stops too.
  await message.press('Enter');
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(2);
  const second = lastReply(page);
  await expect(second).toHaveAttribute('data-status', 'streaming');
  await expect(second.locator('.markdown')).toContainText(/\w+/);
  await page.keyboard.press('Escape');
  await expect(second.getByTestId('reply-stats')).toContainText('stopped by you');
  await expect(page.getByTestId('message')).toHaveCount(4);
});

test('a long conversation opens with its latest messages drawn, and earlier ones come on request', async ({ page, api }) => {
  const now = Date.now();
  const messages = Array.from({ length: 200 }, (_, index) => ({
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: `Message number ${index + 1}`,
    status: 'complete',
    createdAt: now + index
  }));
  await api('conversations.import', {
    content: JSON.stringify({ format: 'hearth.conversation', version: 1, conversation: { title: 'Two hundred messages', model: null, systemPrompt: '', createdAt: now, updatedAt: now }, messages })
  });
  await page.goto('/');
  const item = page.getByRole('navigation', { name: 'Conversations' }).getByTestId('conversation-item').filter({ hasText: 'Two hundred messages' });
  await item.getByRole('button', { name: 'Two hundred messages', exact: true }).click();
  await expect(lastReply(page)).toContainText('Message number 200');
  const drawn = page.getByTestId('message');
  await expect(drawn).toHaveCount(60);
  await page.getByRole('button', { name: 'Show earlier messages (140 more)' }).click();
  await expect(drawn).toHaveCount(160);
  await page.getByRole('button', { name: 'Show earlier messages (40 more)' }).click();
  await expect(drawn).toHaveCount(200);
  await expect(drawn.first()).toContainText('Message number 1');
  await expect(page.getByRole('button', { name: /Show earlier messages/ })).toHaveCount(0);
});
