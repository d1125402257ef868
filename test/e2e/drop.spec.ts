import { expect, test } from './fixtures';

test('a .gguf dropped on the window in browser mode is not opened, and the toast points to the path field', async ({ page }) => {
  await page.goto('/');
  // Page code as a string: this project's TypeScript is typed for Node, not the DOM.
  await page.evaluate(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([0x47, 0x47, 0x55, 0x46])], 'dropped.gguf'));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, cancelable: true }));
  })()`);
  await expect(page.getByTestId('toast')).toContainText('Dropping files works in the desktop app');
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/?$/);
});

test('browser mode shows whether a Hugging Face token is set, explains where it comes from, and offers no folder button', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Models', exact: true }).click();
  const token = page.getByTestId('hub-token');
  await expect(token).toContainText('Hugging Face token for gated models: not set');
  await token.locator('summary').click();
  await expect(token).toContainText('HF_TOKEN');
  await expect(token.getByRole('textbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Show .* in the file manager/ })).toHaveCount(0);
});
