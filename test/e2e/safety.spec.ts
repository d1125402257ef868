import { expect, lastReply, test } from './fixtures';

const hostileReply = [
  'Here is an image: <img src=x onerror="window.__xss=1">',
  '',
  '<script>window.__xss = 2</script>',
  '',
  '[click me](javascript:window.__xss=3)',
  '',
  '```js',
  'const answer = 42; // <img src=y onerror="window.__xss=4">',
  'console.log(answer);',
  '```'
].join('\n');

function exportOf(title: string, reply: string): string {
  const now = Date.now();
  return JSON.stringify({
    format: 'hearth.conversation',
    version: 1,
    conversation: { title, modelPath: null, systemPrompt: '', createdAt: now, updatedAt: now },
    messages: [
      { role: 'user', content: 'Show me <b>HTML</b>', status: 'complete', createdAt: now },
      { role: 'assistant', content: reply, status: 'complete', createdAt: now + 1 }
    ]
  });
}

test('raw HTML in a reply is never run, and code blocks get a Copy button', async ({ page, api }) => {
  await api('conversations.import', { content: exportOf('Hostile reply', hostileReply) });
  await page.goto('/');
  const item = page.getByRole('navigation', { name: 'Conversations' }).getByTestId('conversation-item').filter({ hasText: 'Hostile reply' });
  await item.getByRole('button', { name: 'Hostile reply', exact: true }).click();

  const reply = lastReply(page);
  await expect(reply).toContainText('Here is an image: <img src=x onerror="window.__xss=1">');
  await expect(page.locator('img[onerror]')).toHaveCount(0);
  await expect(page.locator('.markdown img, .markdown script')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await expect(page.locator('[data-role="user"]')).toContainText('Show me <b>HTML</b>');
  await expect(reply.locator('pre code.hljs .hljs-keyword').first()).toHaveText('const');
  await expect(reply.getByRole('button', { name: 'Copy' })).toHaveCount(1);
  await page.waitForTimeout(200);
  expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
});

test('an invalid import shows a dismissable error; a valid one opens the conversation', async ({ page }) => {
  await page.goto('/');
  const fileInput = page.getByLabel('Conversation file to import');
  await fileInput.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"nope"}') });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'IMPORT_INVALID');
  await banner.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(banner).toHaveCount(0);

  await fileInput.setInputFiles({
    name: 'story.json',
    mimeType: 'application/json',
    buffer: Buffer.from(exportOf('Imported story', 'A **bold** reply.'))
  });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Imported story');
  await expect(lastReply(page).locator('strong')).toHaveText('bold');
});
