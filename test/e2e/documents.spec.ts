import { textPdf } from '../fixtures/documents';
import { callApi, expect, lastReply, openView, pickModel, setSampling, storiesModel, test } from './fixtures';

/** A fact no model knows: found in a reply's sources only if the file was read. */
const fact = 'The lighthouse keeper Ottoline Vask paints the lamp room teal every Thursday.';

test('a PDF attached in the chat is read, the reply lists it under Sources with its page and text, and the context counts it', async ({ page, request, startHearth }) => {
  test.setTimeout(120_000);
  const server = await startHearth();
  await callApi(request, server, 'settings.setDocuments', { settings: { embeddingModel: storiesModel } });
  await page.goto(server.pageUrl);
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 0, maxTokens: 8 });

  await page.getByTestId('attach-input').setInputFiles({ name: 'lighthouse.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await textPdf([['Logbook'], [fact]])) });
  // The chip follows the file: read, then indexed in the background (docs.progress / docs.changed).
  const chip = page.getByTestId('attachment');
  await expect(chip).toHaveAttribute('data-state', 'indexed', { timeout: 30_000 });
  await expect(chip).toContainText('lighthouse.pdf');
  await expect(chip).toContainText('indexed');
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('What colour is the lamp room?');
  await message.press('Enter');
  await expect(page.getByTestId('attachment')).toHaveCount(0);

  const sources = lastReply(page).getByTestId('sources');
  await expect(sources).toContainText('lighthouse.pdf, page 2');
  await sources.getByText('lighthouse.pdf, page 2').click();
  await expect(sources.getByTestId('source-text')).toContainText('Ottoline Vask');

  // The next message reads the document too: the meter says how much of its prompt is document text.
  await message.fill('Which day?');
  await expect(page.getByTestId('context-sources')).toContainText('lighthouse.pdf');
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  await page.getByRole('button', { name: 'Prompt preview' }).click();
  await expect(page.getByTestId('prompt-text')).toContainText('Ottoline Vask');
  await expect(page.getByRole('region', { name: 'Conversation settings' }).getByTestId('context-sources')).toContainText('lighthouse.pdf, page 2');

  // The conversation shows what it reads; detaching stops it reading the file, which stays in Documents.
  const reads = page.getByTestId('conversation-documents');
  await expect(reads.getByTestId('conversation-document')).toHaveText(['lighthouse.pdf Detach']);
  await reads.getByRole('button', { name: 'Detach lighthouse.pdf' }).click();
  await expect(reads).toHaveCount(0);
  const [conversation] = (await callApi(request, server, 'conversations.list', {})) as { id: number }[];
  expect(await callApi(request, server, 'docs.attached', { conversationId: conversation.id })).toMatchObject({ documentIds: [], collectionId: null });
  expect(await callApi(request, server, 'docs.list', {})).toHaveLength(1);
});

test('with documents and no embedding model, Documents and Settings offer the catalog’s embedding models with their sizes', async ({ page, request, startHearth }) => {
  const server = await startHearth();
  await callApi(request, server, 'docs.add', { upload: { name: 'notes.md', base64: Buffer.from('# Notes\n\nKeyword search only, for now.\n').toString('base64') } });
  await page.goto(server.pageUrl);
  await openView(page, 'Documents');
  const offer = page.getByTestId('embedding-offer');
  const models = offer.getByTestId('embedding-offer-model');
  await expect(models).toHaveCount(3);
  await expect(models.nth(0)).toContainText('BGE small EN v1.5');
  await expect(models.nth(0).getByTestId('embedding-offer-size')).toContainText('~35 MiB · 384 dimensions');
  await expect(models.nth(1)).toContainText('Nomic Embed Text v1.5');
  await expect(models.nth(1).getByTestId('embedding-offer-size')).toContainText('139 MiB · 768 dimensions');
  await expect(models.nth(2)).toContainText('BGE-M3');
  await expect(models.nth(2).getByTestId('embedding-offer-size')).toContainText('605 MiB · 1024 dimensions');
  await expect(offer.getByRole('button', { name: 'Download Nomic Embed Text v1.5' })).toBeEnabled();

  await openView(page, 'Settings');
  await expect(page.getByRole('region', { name: 'Documents' }).getByTestId('embedding-offer-model')).toHaveCount(3);
});

test('a file that is not what its name says is refused with why, and the message is sent without it', async ({ page }) => {
  await page.goto('/');
  await pickModel(page, storiesModel);
  await setSampling(page, { temperature: 0, maxTokens: 8 });
  await page.getByTestId('attach-input').setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('this is not a PDF') });
  const chip = page.getByTestId('attachment');
  await expect(chip).toHaveAttribute('data-state', 'refused');
  await expect(chip.getByTestId('attachment-error')).toContainText('fake.pdf');
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  await expect(lastReply(page)).toHaveAttribute('data-status', 'complete');
  await expect(lastReply(page).getByTestId('sources')).toHaveCount(0);
});

test('the Documents view creates a collection, indexes a file added to it, finds it by search, and deletes it', async ({ page, request, startHearth }) => {
  test.setTimeout(90_000);
  const server = await startHearth();
  await callApi(request, server, 'settings.setDocuments', { settings: { embeddingModel: storiesModel } });
  await page.goto(server.pageUrl);
  await openView(page, 'Documents');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Documents');

  await page.getByRole('textbox', { name: 'Name' }).fill('Field notes');
  await page.getByRole('button', { name: 'Create collection' }).click();
  const collection = page.locator('[data-testid="collection"][data-name="Field notes"]');
  await expect(collection).toBeVisible();
  await collection.locator('input[type="file"]').setInputFiles({ name: 'quokka.md', mimeType: 'text/markdown', buffer: Buffer.from('# Sightings\n\nA quokka named Brindle visits the ranger hut at dawn.\n') });
  const row = collection.locator('[data-testid="document"][data-name="quokka.md"]');
  await expect(row.getByTestId('index-state')).toHaveText('1 chunks, indexed', { timeout: 30_000 });

  await page.getByRole('searchbox', { name: 'Search the documents' }).fill('quokka Brindle');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hit = page.getByTestId('document-hit').first();
  await expect(hit).toContainText('quokka.md');
  await expect(hit).toContainText('Sightings');
  await expect(hit).toContainText('score');
  await expect(hit).toContainText('ranger hut');

  await collection.getByRole('button', { name: 'Delete Field notes' }).click();
  await page.getByTestId('delete-confirm').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(collection).toHaveCount(0);
  expect(await callApi(request, server, 'docs.list', {})).toEqual([]);
});
