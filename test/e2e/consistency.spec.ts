/**
 * The screen agrees with itself and with what happened: which model a chat uses (picker, chat text,
 * token meter), a first run that just works, and an outage that is visible while it lasts and gone after.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { callApi, conversationExport, expect, lastReply, pickModel, sendAndWait, setSampling, sharedModels, storiesModel, test } from './fixtures';

const otherModel = 'llama-2-tiny-random.gguf';
const picker = (page: import('@playwright/test').Page) => page.getByRole('combobox', { name: 'Model' });

test('opening a chat made with another model: picker, chat text and token meter all name that chat\'s model, without failed calls', async ({ page, startHearth, request }) => {
  const server = await startHearth();
  copyFileSync(join(sharedModels, otherModel), join(server.modelsDir, otherModel));
  const made = (await callApi(request, server, 'conversations.create', { model: storiesModel, title: 'Made with stories', settings: { maxTokens: 8 } })) as { id: number };
  await callApi(request, server, 'chat.send', { conversationId: made.id, content: 'Once upon a time' });
  await expect.poll(async () => ((await callApi(request, server, 'engine.status', {})) as { generatingConversationId: number | null }).generatingConversationId).toBeNull();
  const conflicts: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 409) conflicts.push(response.url());
  });
  await page.goto(server.pageUrl);
  await pickModel(page, otherModel);

  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Made with stories', exact: true }).click();
  await expect(picker(page)).toHaveValue(storiesModel);
  await expect(page.getByTestId('engine-status')).toContainText(otherModel);
  await expect(page.getByTestId('context-not-loaded')).toHaveText(`Tokens are counted once ${storiesModel} is loaded: it loads when you send.`);
  // The reply loads the chat's model; then everything names it, and the meter counts.
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('The end');
  await message.press('Enter');
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('engine-status')).toContainText(storiesModel);
  await expect(page.getByTestId('context-meter')).toBeVisible();
  expect(conflicts).toEqual([]);
});

test('picking a model whose file was deleted: the picker and the chat stay on the model that works', async ({ page, startHearth }) => {
  const server = await startHearth();
  copyFileSync(join(sharedModels, otherModel), join(server.modelsDir, otherModel));
  await page.goto(server.pageUrl);
  await pickModel(page, storiesModel);
  await expect(page.getByText(`Chatting with ${storiesModel}, entirely on this machine.`)).toBeVisible();

  rmSync(join(server.modelsDir, otherModel));
  await picker(page).selectOption({ label: otherModel });
  await expect(page.getByTestId('error-banner')).toContainText(`Could not load ${otherModel}`);
  await expect(picker(page)).toHaveValue(storiesModel);
  await expect(page.getByText(`Chatting with ${storiesModel}, entirely on this machine.`)).toBeVisible();
  // The models folder was read again: the deleted file is no longer offered.
  await expect(picker(page).locator('option', { hasText: otherModel })).toHaveCount(0);
});

test('a first run chats with the demo model at once: chosen, named, and answering the first message', async ({ page, startHearth }) => {
  const server = await startHearth({ models: 'empty' });
  await page.goto(server.pageUrl);
  await expect(picker(page)).toHaveValue('hearth-demo.gguf');
  await expect(page.getByTestId('demo-notice')).toContainText("You are using Hearth's built-in demo model.");
  await expect(page.getByText('Chatting with hearth-demo.gguf, entirely on this machine (it loads when you send).')).toBeVisible();
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Hello');
  await message.press('Enter');
  await expect(lastReply(page)).toContainText("Hello! I am Hearth's built-in demo model.", { timeout: 60_000 });
});

test.describe('an outage', () => {
  test.use({ allowedConsoleError: /net::ERR_CONNECTION_REFUSED|Failed to load resource: net::/ });

  test('is shown while the server is down, and leaves no stale error once it is back and a message went through', async ({ page, startHearth }) => {
    const server = await startHearth();
    await page.goto(server.pageUrl);
    await pickModel(page, storiesModel);
    await server.stop();
    await expect(page.getByTestId('outage-banner')).toContainText('The Hearth server is not answering.');
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Once upon a time');
    await message.press('Enter');
    await expect(page.getByTestId('error-banner')).toContainText('Could not send the message');

    await server.start();
    await expect(page.getByTestId('outage-banner')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    await message.fill('Once upon a time');
    await message.press('Enter');
    await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
  });
});

test('a long reply: scrolled up while it streams, "Jump to latest" rejoins it; its Timeline opens into view', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 0, maxTokens: 4096 });
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  await page.getByLabel('Stop at end-of-sequence').uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  const list = page.getByRole('region', { name: 'Messages' });
  await expect(lastReply(page)).toContainText('Lily');
  // Once the reply is taller than the list, scroll up to the question while it still streams.
  await expect.poll(() => list.evaluate((element) => element.scrollHeight - element.clientHeight)).toBeGreaterThan(300);
  await list.evaluate((element) => element.scrollTo({ top: 0 }));
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(jump).toBeHidden();
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await lastReply(page).getByRole('button', { name: 'Timeline' }).click();
  await expect(lastReply(page).getByTestId('reply-timeline')).toBeInViewport();
});

test('the page carries the app icon', async ({ page }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  const icon = await page.request.get(new URL(href!, page.url()).href);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/svg+xml');
});

test('the sidebar folds away: by its button on a wide window, by itself on a narrow one, where it opens over the chat', async ({ page }) => {
  await page.goto('/');
  const sidebar = page.getByRole('navigation', { name: 'Views' });
  await page.getByRole('button', { name: 'Hide the sidebar' }).click();
  await expect(sidebar).toBeHidden();
  await page.getByRole('button', { name: 'Show the sidebar' }).click();
  await expect(sidebar).toBeVisible();

  await page.setViewportSize({ width: 600, height: 800 });
  await page.reload();
  await expect(sidebar).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await page.getByRole('button', { name: 'Show the sidebar' }).click();
  await expect(sidebar).toBeVisible();
  await sidebar.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(sidebar).toBeHidden();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  await page.getByRole('button', { name: 'Show the sidebar' }).click();
  await page.keyboard.press('Escape');
  await expect(sidebar).toBeHidden();
});

test('an imported chat keeps its reply figures but adds no measurement to the dashboard', async ({ page, startHearth, request }) => {
  const server = await startHearth();
  const made = (await callApi(request, server, 'conversations.create', { model: storiesModel, title: 'Measured here', settings: { maxTokens: 8 } })) as { id: number };
  await callApi(request, server, 'chat.send', { conversationId: made.id, content: 'Once upon a time' });
  await expect.poll(async () => ((await callApi(request, server, 'engine.status', {})) as { generatingConversationId: number | null }).generatingConversationId).toBeNull();
  const exported = (await callApi(request, server, 'conversations.export', { id: made.id, format: 'json' })) as { content: string };
  await page.goto(server.pageUrl);
  await page.getByLabel('Conversation file to import').setInputFiles({ name: 'measured.json', mimeType: 'application/json', buffer: Buffer.from(exported.content) });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Measured here');
  // The imported reply still shows what it cost where it was made…
  await expect(lastReply(page).getByTestId('reply-stats')).toContainText('tok/s');
  // …but the dashboard counts the one reply measured on this machine, once.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Replies' }).locator('tbody tr')).toHaveCount(1);
});

test('an API server started with `hearth serve --api` is the one Settings shows and switches', async ({ page, startHearth }) => {
  const server = await startHearth({ args: ['--api', '--api-port', '0'] });
  await page.goto(server.pageUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('api-url')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  await expect(page.getByTestId('api-started-by')).toContainText('Started with hearth serve --api');
  await expect(page.getByRole('switch', { name: 'OpenAI-compatible API' })).toBeChecked();
  await page.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
  await expect(page.getByText('Not running.')).toBeVisible();
});

test('a long chat that drops its oldest turns still gives the reply all of its max tokens', async ({ page, startHearth, request }) => {
  const server = await startHearth();
  const turns = Array.from({ length: 40 }, (_, index) => [
    { role: 'user' as const, content: `Tell me about the little dog number ${index} and the big red ball in the park.`, status: 'complete' },
    { role: 'assistant' as const, content: ' The little dog was happy and played in the big park with his friends all day long, and then he went home.', status: 'complete' }
  ]).flat();
  const [first, second, ...rest] = turns;
  const imported = (await callApi(request, server, 'conversations.import', { content: conversationExport('Forty turns', first.content, second.content, rest) })) as { id: number };
  await callApi(request, server, 'conversations.update', { id: imported.id, model: storiesModel, settings: { maxTokens: 1024, stopAtEos: false, temperature: 0 } });
  await page.goto(server.pageUrl);
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Forty turns', exact: true }).click();
  const reply = await sendAndWait(page, 'Once upon a time');
  await expect(reply.getByTestId('reply-stats')).toContainText('1024 tokens · stopped: max tokens');
});
