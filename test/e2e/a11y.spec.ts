import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { writeSparseShapeFixture, type ModelShape } from '../fixtures/shapes';
import { callApi, conversationExport, expect, lastReply, openView, pickModel, setSampling, storiesModel, test } from './fixtures';

/** A 40 GiB model described by its header alone: the Models view lists it as Too large on any test machine. */
const llama2_70b: ModelShape = { name: 'Llama 2 70B', architecture: 'llama', layers: 80, embedding: 8192, feedForward: 28672, heads: 64, kvHeads: 8, headDim: 128, vocab: 32000, contextLength: 4096 };

/** A reply with a highlighted comment and a line wider than the message column. */
const codeReply = ['A loop:', '', '```js', '// counts to three, then stops', 'for (let i = 0; i < 3; i++) console.log(`step ${i} of a loop whose line is long enough to scroll sideways`);', '```'].join('\n');

/** What axe (every rule it runs by default) finds on the page as it is now: one line per rule, with the elements. */
async function axeViolations(page: Page, where: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map((violation) => `${where}: ${violation.id} on ${violation.nodes.length}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds nothing in any view, in the ${colorScheme} theme`, async ({ page, request, startHearth }) => {
    test.setTimeout(150_000);
    // Its own server: the API server it switches on and the model it loads end with the test.
    const server = await startHearth();
    writeSparseShapeFixture(join(server.modelsDir, 'too-large-70b.gguf'), llama2_70b);
    await callApi(request, server, 'conversations.import', { content: conversationExport('Loop in code', 'Show me a zebrafish loop', codeReply) });
    await page.emulateMedia({ colorScheme });
    await page.goto(server.pageUrl);
    const found: string[] = [];

    const message = page.getByRole('textbox', { name: 'Message' });
    await expect(message).toBeEnabled();
    found.push(...(await axeViolations(page, 'Chat, empty')));

    await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Conversation settings' })).toBeVisible();
    found.push(...(await axeViolations(page, 'Chat settings')));
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();

    const search = page.getByLabel('Search chats');
    await search.fill('zebrafish');
    await expect(page.getByTestId('search-hit')).toHaveCount(1);
    await search.press('ArrowDown');
    found.push(...(await axeViolations(page, 'Search results')));
    await page.getByTestId('search-hit').click();

    // The imported reply (a code block) and a real one from the model, with its stats and buttons.
    await expect(lastReply(page).locator('pre')).toBeVisible();
    await pickModel(page, storiesModel);
    await setSampling(page, { temperature: 0, maxTokens: 24 });
    // A file read for the reply and one refused, as chips; the reply then lists its source, opened.
    await page.getByTestId('attach-input').setInputFiles([
      { name: 'lighthouse.md', mimeType: 'text/markdown', buffer: Buffer.from('# Log\n\nThe lamp room is teal.\n') },
      { name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a PDF') }
    ]);
    await expect(page.locator('[data-testid="attachment"][data-state="refused"]')).toBeVisible();
    await expect(page.locator('[data-testid="attachment"][data-state="indexed"]')).toBeVisible({ timeout: 30_000 });
    found.push(...(await axeViolations(page, 'Chat with attachments')));
    await message.fill('Once upon a time');
    await message.press('Enter');
    await expect(lastReply(page).getByTestId('reply-stats')).toContainText('tok/s');
    await lastReply(page).getByTestId('source').locator('summary').click();
    await expect(lastReply(page).getByTestId('source-text')).toContainText('teal');
    await message.fill('And then?');
    await expect(page.getByTestId('context-sources')).toBeVisible();
    found.push(...(await axeViolations(page, 'Chat with a reply and its sources')));
    await message.fill('');

    await openView(page, 'Models');
    await expect(page.locator('[data-testid="installed-model"][data-name="too-large-70b.gguf"]').getByTestId('fit-badge')).toContainText('Too large');
    // The longest context makes the largest catalog models too large for this machine: their rows are dimmed.
    await page.getByRole('slider', { name: 'Context length' }).press('End');
    await expect(page.locator('[data-testid="recommendation"] [data-fit="too-large"]').first()).toBeVisible();
    found.push(...(await axeViolations(page, 'Models')));

    await openView(page, 'Documents');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Documents');
    await page.getByRole('textbox', { name: 'Name' }).fill('Notes');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await expect(page.locator('[data-testid="collection"][data-name="Notes"]')).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search the documents' }).fill('lamp room');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('document-hit').first()).toContainText('lighthouse.md');
    found.push(...(await axeViolations(page, 'Documents')));

    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Playground', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Playground');
    await page.getByLabel('Text to tokenize').fill('Once upon a time');
    await page.getByLabel('Prompt', { exact: true }).fill('Once upon a time');
    await page.getByRole('button', { name: 'Show next tokens' }).click();
    // Greedy: every candidate but one is shown as cut.
    await page.getByLabel('Temperature', { exact: true }).fill('0');
    await expect(page.locator('[data-testid="candidate"][data-cut-by]')).toHaveCount(19);
    found.push(...(await axeViolations(page, 'Playground')));

    await openView(page, 'Dashboard');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
    await expect(page.getByRole('table', { name: 'Replies' }).locator('tbody tr')).toHaveCount(1);
    found.push(...(await axeViolations(page, 'Dashboard')));

    await openView(page, 'Settings');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    const apiPanel = page.getByRole('region', { name: 'API server', exact: true });
    await apiPanel.getByRole('spinbutton', { name: 'Port' }).fill('0');
    await apiPanel.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
    await expect(apiPanel.getByTestId('api-curl')).toBeVisible();
    found.push(...(await axeViolations(page, 'Settings')));

    expect(found).toEqual([]);
  });
}
