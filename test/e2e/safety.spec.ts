import { readFileSync } from 'node:fs';
import { conversationExport, expect, lastReply, test } from './fixtures';

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


test('raw HTML in a reply is never run, and code blocks get a Copy button', async ({ page, context, api }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await api('conversations.import', { content: conversationExport('Hostile reply', 'Show me <b>HTML</b>', hostileReply) });
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
  // The code block's own button (the message's is "Copy message").
  const copy = reply.getByRole('button', { name: 'Copy', exact: true });
  await expect(copy).toHaveCount(1);
  await copy.click();
  await expect(reply.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(
    'const answer = 42; // <img src=y onerror="window.__xss=4">\nconsole.log(answer);'
  );
  expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
});

test('math renders with KaTeX under the CSP (its styles and bundled fonts applied), task items keep their state, and TeX runs nothing', async ({ page, api }) => {
  const reply = [
    'Euler: $e^{i\\pi} + 1 = 0$, and \\(\\sqrt{x^2} = |x|\\) for $5 or $10.',
    '',
    '$$',
    '\\int_0^1 x\\,dx = \\frac{1}{2}',
    '$$',
    '',
    '- [x] Proved',
    '- [ ] Published',
    '',
    '$\\href{javascript:window.__xss=5}{click}$ $<img src=x onerror="window.__xss=6">$'
  ].join('\n');
  await api('conversations.import', { content: conversationExport('Math reply', 'Show me <b>HTML</b>', reply) });
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Math reply', exact: true }).click();

  const shown = lastReply(page);
  // The last formula does not parse (`__`): KaTeX shows its error in place, as text.
  await expect(shown.locator('.katex')).toHaveCount(4);
  await expect(shown.locator('.katex-error')).toHaveCount(1);
  await expect(shown.locator('.katex-display')).toHaveCount(1);
  await expect(shown).toContainText('for $5 or $10.');
  // KaTeX's layout arrives through the CSSOM (a style attribute would be refused, and logged, which fails the test).
  await expect(shown.locator('[data-katex-style]')).toHaveCount(0);
  const layout = await shown.locator('.katex-display .katex-html').evaluate((node) => ({
    struts: Array.from(node.querySelectorAll<HTMLElement>('.katex-strut'), (strut) => strut.style.height),
    height: node.getBoundingClientRect().height
  }));
  expect(layout.struts.every((height) => /em$/.test(height))).toBe(true);
  expect(layout.height).toBeGreaterThan(20);
  // Its fonts come from the app itself.
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    const loaded: string[] = [];
    document.fonts.forEach((font) => {
      if (font.status === 'loaded') loaded.push(font.family);
    });
    return loaded;
  });
  expect(fonts).toContain('KaTeX_Main');

  await expect(shown.getByRole('checkbox', { name: 'Proved' })).toBeChecked();
  await expect(shown.getByRole('checkbox', { name: 'Published' })).not.toBeChecked();
  await expect(shown.getByRole('checkbox')).toHaveCount(2);
  for (const box of await shown.getByRole('checkbox').all()) await expect(box).toBeDisabled();

  await expect(page.locator('.markdown a, .markdown img')).toHaveCount(0);
  expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
});

test('import, badges, rename, pin and export of a conversation', async ({ page }) => {
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
    buffer: Buffer.from(
      conversationExport('Imported story', 'Show me <b>HTML</b>', 'A **bold** reply.', [
        { role: 'user', content: 'Go on', status: 'complete' },
        { role: 'assistant', content: 'It was cut', status: 'interrupted' },
        { role: 'user', content: 'Again', status: 'complete' },
        { role: 'assistant', content: '', status: 'error', error: 'The model ran out of memory.' }
      ])
    )
  });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Imported story');
  const replies = page.locator('[data-testid="message"][data-role="assistant"]');
  await expect(replies.nth(0).locator('strong')).toHaveText('bold');
  await expect(replies.nth(1)).toContainText('Interrupted');
  await expect(replies.nth(2)).toContainText('Error');
  await expect(replies.nth(2)).toContainText('The model ran out of memory.');

  // Rename inline, then pin: it moves to the Pinned group.
  const sidebar = page.getByRole('navigation', { name: 'Conversations' });
  await sidebar.getByRole('button', { name: 'Rename Imported story' }).click();
  const title = sidebar.getByRole('textbox', { name: 'Conversation title' });
  await expect(title).toBeFocused();
  await title.fill('Renamed story');
  await title.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renamed story');
  await sidebar.getByRole('button', { name: 'Pin Renamed story' }).click();
  await expect(sidebar.getByRole('heading', { name: 'Pinned' })).toBeVisible();
  await expect(sidebar.locator('ul').first().getByTestId('conversation-item')).toHaveText('Renamed story');

  // Export downloads a file with the conversation in it.
  const [markdown] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Markdown' }).click()]);
  expect(markdown.suggestedFilename()).toMatch(/\.md$/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  expect(json.suggestedFilename()).toMatch(/\.json$/);
  const saved = JSON.parse(readFileSync(await json.path(), 'utf8')) as { format: string; conversation: { title: string } };
  expect(saved.format).toBe('hearth.conversation');
  expect(saved.conversation.title).toBe('Renamed story');
});

test('browser mode opens only with its token: without it a page explains, with it the token becomes a cookie and leaves the address', async ({ browser, startHearth }) => {
  const server = await startHearth();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const refused = await page.goto(server.url);
    expect(refused?.status()).toBe(401);
    await expect(page.getByRole('heading', { name: 'Hearth needs its address with the token' })).toBeVisible();
    expect((await page.request.post(`${server.url}/api/conversations.list`, { data: {} })).status()).toBe(401);

    await page.goto(server.pageUrl);
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
    expect(page.url()).toBe(`${server.url}/`);
    const [cookie] = await context.cookies(server.url);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The page's scripts cannot read it, and the app's own calls and event stream work with it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await expect(page.getByTestId('engine-status')).not.toContainText(/reach|offline/i);
  } finally {
    await context.close();
  }
});
