import type { Locator } from '@playwright/test';
import { callApi, conversationExport, expect, lastReply, openView, test } from './fixtures';

/** How far a box is scrolled sideways, and whether it has more to show. */
function sideways(box: Locator) {
  return box.evaluate((element) => ({ left: element.scrollLeft, overflows: element.scrollWidth > element.clientWidth }));
}

test('search results take the arrow keys: ↓/↑ choose a hit, Enter opens its chat, Esc clears the search', async ({ page, api }) => {
  // Titles that say which is which; "quokka" is found in these two only.
  await api('conversations.import', { content: conversationExport('Quokka first', 'Where do quokkas live?', 'On Rottnest Island.') });
  await api('conversations.import', { content: conversationExport('Quokka second', 'What do quokkas eat?', 'Leaves and grasses.') });
  await page.goto('/');
  await page.keyboard.press('Control+k');
  const box = page.getByLabel('Search chats');
  await expect(box).toBeFocused();
  await page.keyboard.type('quokka');
  const hits = page.getByTestId('search-hit');
  await expect(hits).toHaveCount(2);
  const [first, second] = [hits.nth(0), hits.nth(1)];
  const secondTitle = ((await second.locator('.title').textContent()) ?? '').trim();

  // Before: nothing chosen. ↓ chooses the first hit, ↓ the second, ↑ the first again, ↑ wraps to the last.
  await expect(hits.and(page.locator('[aria-selected="true"]'))).toHaveCount(0);
  await page.keyboard.press('ArrowDown');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  // As a combobox and its listbox: the focus stays in the box, which names the chosen option.
  await expect(box).toHaveRole('combobox');
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('listbox', { name: 'Search results' }).getByRole('option')).toHaveCount(2);
  await expect(box).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
  const chosenBackground = await first.evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(chosenBackground).not.toBe(await second.evaluate((element) => getComputedStyle(element).backgroundColor));
  await page.keyboard.press('ArrowDown');
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await expect(first).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('ArrowUp');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await expect(box).toBeFocused();

  // Enter opens the chosen one, and the keyboard carries on in its message box.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(secondTitle);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await expect(box).toHaveValue('');

  // The list itself is one Tab stop after the box, and takes the same keys (Home and End too); Esc returns to the box.
  await box.fill('quokka');
  await expect(hits).toHaveCount(2);
  await page.keyboard.press('Tab');
  const list = page.getByRole('listbox', { name: 'Search results' });
  await expect(list).toBeFocused();
  await page.keyboard.press('End');
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Escape');
  await expect(box).toHaveValue('');
  await expect(box).toBeFocused();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
});

test('Esc closes the Chat settings panel and gives the focus back to its button', async ({ page }) => {
  await page.goto('/');
  const button = page.getByRole('button', { name: 'Chat settings', exact: true });
  await button.focus();
  await page.keyboard.press('Enter');
  const panel = page.getByRole('region', { name: 'Conversation settings' });
  await expect(panel).toBeVisible();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await panel.getByLabel('Temperature').focus();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(button).toBeFocused();
});

test('the first Tab stop is a skip link, shown when focused, that takes the focus past the sidebar', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  // From the message box, where the app starts, Tab runs past the end of the page, then starts again at its top.
  const outside = () => page.evaluate(() => document.activeElement === document.body);
  for (let stops = 0; stops < 20 && !(await outside()); stops++) await page.keyboard.press('Tab');
  expect(await outside()).toBe(true);
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveText('Skip to main content');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  expect((await skip.boundingBox())?.width).toBeGreaterThan(40);

  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  // The next stop is in the view (the chat's header), not one of the sidebar's views, search or conversations.
  await expect(page.getByRole('main').locator(':focus')).toHaveCount(1);
  await expect(page.getByRole('complementary').locator(':focus')).toHaveCount(0);
  // Out of the way again once it has no focus.
  expect((await skip.boundingBox())?.width).toBeLessThan(2);
});

test('a conversation in the sidebar is one Tab stop, and ← / → reach its actions', async ({ page, request, startHearth }) => {
  // Its own server: these two are the only conversations, neither pinned.
  const server = await startHearth();
  for (const title of ['Tab stop one', 'Tab stop two']) await callApi(request, server, 'conversations.import', { content: conversationExport(title, 'A question', 'A reply.') });
  await page.goto(server.pageUrl);
  const items = page.getByRole('navigation', { name: 'Conversations' }).getByTestId('conversation-item');
  await expect(items).toHaveCount(2);
  const [first, second] = [items.nth(0), items.nth(1)];
  const firstTitle = ((await first.textContent()) ?? '').trim();
  const open = first.getByRole('button', { name: firstTitle, exact: true });

  // Tab goes from one conversation to the next, not through its Rename, Pin and Delete.
  await open.focus();
  await page.keyboard.press('Tab');
  await expect(second.getByRole('button').first()).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(open).toBeFocused();

  // → walks the actions (shown while the conversation has the focus), ← walks back.
  const rename = first.getByRole('button', { name: `Rename ${firstTitle}` });
  await expect(rename).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(rename).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(first.getByRole('button', { name: `Pin ${firstTitle}` })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(first.getByRole('button', { name: `Delete ${firstTitle}` })).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(rename).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(first.getByRole('textbox', { name: 'Conversation title' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(first.getByRole('textbox', { name: 'Conversation title' })).toHaveCount(0);
});

test('a code block and the curl example scroll sideways from the keyboard, after Tab reaches them', async ({ page, api, startHearth }) => {
  const wide = `console.log('${'a line wider than the message column, '.repeat(6)}');`;
  await api('conversations.import', { content: conversationExport('Wide code', 'Show me wide code', ['```js', wide, '```'].join('\n')) });
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Wide code', exact: true }).click();
  const reply = lastReply(page);
  const code = reply.locator('pre');
  expect(await sideways(code)).toEqual({ left: 0, overflows: true });
  // From the block's Copy button, Tab goes into the code, and → scrolls it.
  await reply.getByRole('button', { name: 'Copy', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(code).toBeFocused();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  expect((await sideways(code)).left).toBeGreaterThan(0);
  // In the Tab order by its own markup: Chromium (since 130) also puts a scrolling box with nothing
  // focusable inside there by itself, but Safari, where browser mode may be opened, does not.
  await expect(code).toHaveAttribute('tabindex', '0');

  // Settings → API server, running: the curl command is wider than its box.
  const server = await startHearth();
  await page.goto(server.pageUrl);
  await openView(page, 'Settings');
  const apiPanel = page.getByRole('region', { name: 'API server', exact: true });
  await apiPanel.getByRole('spinbutton', { name: 'Port' }).fill('0');
  await apiPanel.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
  const curl = apiPanel.getByTestId('api-curl');
  await expect(curl).toBeVisible();
  expect(await sideways(curl)).toEqual({ left: 0, overflows: true });
  await apiPanel.getByRole('button', { name: 'Copy the API URL' }).focus();
  await page.keyboard.press('Tab');
  await expect(curl).toBeFocused();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  expect((await sideways(curl)).left).toBeGreaterThan(0);
  // What a screen reader announces when the focus lands there.
  await expect(curl).toHaveRole('region');
  await expect(curl).toHaveAccessibleName('Try it from a terminal');
});
