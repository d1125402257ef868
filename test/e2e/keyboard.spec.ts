import type { Locator } from '@playwright/test';
import { conversationExport, expect, lastReply, openView, test } from './fixtures';

/** How far a box is scrolled sideways, and whether it has more to show. */
function sideways(box: Locator) {
  return box.evaluate((element) => ({ left: element.scrollLeft, overflows: element.scrollWidth > element.clientWidth }));
}

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
