import type { Page } from '@playwright/test';
import { expect, lastReply, pickModel, setSampling, storiesModel, test } from './fixtures';

/** Sends a message and waits until its reply has finished (its stats line shows). */
async function send(page: Page, text: string): Promise<void> {
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill(text);
  await message.press('Enter');
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}

function lastUserMessage(page: Page) {
  return page.locator('[data-testid="message"][data-role="user"]').last();
}

/** "1,234 / 4,096 tokens" → 1234 (the prompt's share). */
function usedTokens(text: string | null): number {
  return Number(text?.match(/([\d,]+) \//)?.[1].replaceAll(',', ''));
}

test('a stop string ends the reply exactly before it, even across tokens; "Settings used" and the prompt preview say what made the reply', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);

  // stories260K's greedy reply to "Once upon a time" is ", there was a little girl named Lily…".
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Conversation settings' });
  await panel.getByRole('button', { name: 'Precise' }).click();
  await expect(panel.getByRole('button', { name: 'Precise' })).toHaveAttribute('aria-pressed', 'true');
  await panel.getByLabel('Temperature').fill('0');
  await expect(panel.getByRole('button', { name: 'Precise' })).toHaveAttribute('aria-pressed', 'false');
  // "tle gi" spans the tokens " little" and " girl" and starts inside the first: the same matcher as /v1's finds it.
  await panel.getByLabel('New stop sequence').fill('tle gi');
  await panel.getByRole('button', { name: 'Add stop sequence' }).click();
  await expect(panel.getByRole('textbox', { name: 'Stop sequence 1', exact: true })).toHaveValue('tle gi');
  await expect(panel.getByLabel('New stop sequence')).toHaveValue('');
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(panel).toBeHidden();

  await send(page, 'Once upon a time');
  const reply = lastReply(page);
  await expect(reply.getByTestId('reply-stats')).toContainText('stopped: stop sequence "tle gi"');
  await expect(reply.locator('.markdown')).toHaveText(', there was a lit');

  const toggle = reply.getByRole('button', { name: 'Settings used' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const used = reply.getByTestId('reply-settings');
  await expect(used.getByRole('row', { name: 'Temperature 0', exact: true })).toBeVisible();
  await expect(used.getByRole('row', { name: 'Stop sequences “tle gi”', exact: true })).toBeVisible();
  await expect(used.getByRole('row', { name: /^Stop reason .*stop sequence “tle gi”$/i })).toBeVisible();
  await expect(used.getByRole('row', { name: 'Stop at end-of-sequence yes', exact: true })).toBeVisible();

  // The counter beside the composer counts the conversation, and the draft as it is typed.
  const meter = page.getByRole('meter', { name: 'Context used' });
  await expect(meter).toHaveText(/[\d,]+ \/ [\d,]+ tokens$/);
  const before = usedTokens(await meter.textContent());
  expect(before).toBeGreaterThan(0);
  await page.getByRole('textbox', { name: 'Message' }).fill('The little dog ran to the park to play with the ball');
  await expect.poll(async () => usedTokens(await meter.textContent())).toBeGreaterThan(before);

  // The prompt preview shows the exact text the model receives, and its template.
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  await expect(panel.getByRole('textbox', { name: 'Stop sequence 1', exact: true })).toHaveValue('tle gi');
  await panel.getByRole('button', { name: 'Prompt preview' }).click();
  await expect(panel.getByTestId('prompt-text')).toContainText('Once upon a time');
  await expect(panel).toContainText('template');
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel).toBeHidden();
});

test('regenerating keeps the earlier reply as an alternative to go back to', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 1, maxTokens: 40 });

  await send(page, 'Once upon a time');
  const first = (await lastReply(page).locator('.markdown').textContent()) ?? '';
  expect(first.length).toBeGreaterThan(0);

  await lastReply(page).getByRole('button', { name: 'Regenerate' }).click();
  const alternatives = lastReply(page).getByRole('group', { name: 'Alternatives' });
  await expect(alternatives).toContainText('2 / 2', { timeout: 60_000 });
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible();
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(1);
  await expect(alternatives.getByRole('button', { name: 'Next alternative' })).toBeDisabled();

  await alternatives.getByRole('button', { name: 'Previous alternative' }).click();
  await expect(alternatives).toContainText('1 / 2');
  await expect(lastReply(page).locator('.markdown')).toHaveText(first);
  await expect(alternatives.getByRole('button', { name: 'Previous alternative' })).toBeDisabled();
  await expect(alternatives.getByRole('button', { name: 'Next alternative' })).toBeEnabled();
});

test('a reply cut at max tokens continues in place; an edit starts a new branch; delete asks first', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 0, maxTokens: 8 });

  await send(page, 'Once upon a time');
  const reply = lastReply(page);
  await expect(reply.getByTestId('reply-stats')).toContainText('stopped: max tokens');
  const cut = ((await reply.locator('.markdown').textContent()) ?? '').length;
  await reply.getByRole('button', { name: 'Continue' }).click();
  await expect.poll(async () => ((await reply.locator('.markdown').textContent()) ?? '').length, { timeout: 60_000 }).toBeGreaterThan(cut);
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('message')).toHaveCount(2);

  // Editing sends the new text as a new branch; the original stays as its alternative.
  await lastUserMessage(page).getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('Once upon a time');
  await editor.fill('The little dog');
  await page.getByRole('button', { name: 'Save & send' }).click();
  await expect(lastUserMessage(page)).toContainText('The little dog');
  await expect(lastUserMessage(page).getByRole('group', { name: 'Alternatives' })).toContainText('2 / 2', { timeout: 60_000 });
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('message')).toHaveCount(2);

  // Delete asks first; Keep keeps the reply.
  await lastReply(page).getByRole('button', { name: 'Delete' }).click();
  const confirm = lastReply(page).getByRole('alertdialog');
  await expect(confirm).toContainText('Delete this message and the replies after it?');
  await confirm.getByRole('button', { name: 'Keep' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveCount(2);
  await lastReply(page).getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByTestId('message')).toHaveCount(1);
  await expect(lastUserMessage(page)).toContainText('The little dog');
});

test('a conversation can ask for JSON following a schema: the reply parses and follows it; a schema that cannot be enforced is refused', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Conversation settings' });
  await panel.getByLabel('Temperature').fill('0');
  await panel.getByRole('radio', { name: 'JSON following a schema' }).check();
  const schema = panel.getByRole('textbox', { name: 'JSON schema' });
  await schema.fill(JSON.stringify({ type: 'object', properties: { age: { type: 'integer', minimum: 0 } } }));
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(panel.getByTestId('settings-problems')).toContainText('minimum (at /properties/age)');
  await schema.fill('{ "type": "object", ');
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(panel.getByTestId('settings-problems')).toContainText('not valid JSON');
  await schema.fill(JSON.stringify({ type: 'object', properties: { mood: { enum: ['happy', 'sad'] }, done: { type: 'boolean' } }, required: ['mood', 'done'], additionalProperties: false }));
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(panel).toBeHidden();

  await send(page, 'Once upon a time');
  const reply = lastReply(page);
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  const parsed = JSON.parse((await reply.locator('.markdown').textContent()) ?? '') as { mood: string; done: boolean };
  expect(Object.keys(parsed).sort()).toEqual(['done', 'mood']);
  expect(['happy', 'sad']).toContain(parsed.mood);
  await reply.getByRole('button', { name: 'Settings used' }).click();
  await expect(reply.getByTestId('reply-settings').getByRole('row', { name: 'Reply format JSON following a schema', exact: true })).toBeVisible();
});
