import { callApi, expect, lastReply, openView, setSampling, storiesModel, test } from './fixtures';

test('the API server is switched on from Settings, and a remote engine that is this very server answers a chat', async ({ page, startHearth }) => {
  test.setTimeout(150_000);
  // Its own server: the API server and the engine must not outlive this test.
  const server = await startHearth();
  await page.goto(server.pageUrl);
  await openView(page, 'Settings');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');

  // Off by default; switched on with port 0 (a free one), it shows where it listens.
  const apiPanel = page.getByRole('region', { name: 'API server', exact: true });
  const apiSwitch = apiPanel.getByRole('switch', { name: 'OpenAI-compatible API' });
  await expect(apiSwitch).toHaveAttribute('aria-checked', 'false');
  await expect(apiPanel.getByRole('status')).toHaveText('Not running.');
  await apiPanel.getByRole('spinbutton', { name: 'Port' }).fill('0');
  await apiSwitch.click();
  await expect(apiSwitch).toHaveAttribute('aria-checked', 'true');
  const address = apiPanel.getByTestId('api-url');
  await expect(address).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const apiUrl = (await address.textContent())!;
  await expect(apiPanel.getByTestId('api-curl')).toHaveText(new RegExp(`^curl ${apiUrl}/chat/completions -H 'Content-Type: application/json' -d '\\{"model":"${storiesModel}"`));
  await expect(apiPanel.getByTestId('api-key-state')).toContainText('No key is set');

  // A wrong address is refused with the server's reason, beside the form.
  const remotesPanel = page.getByRole('region', { name: 'Remote engines', exact: true });
  await remotesPanel.getByRole('textbox', { name: 'Name', exact: true }).fill('Loopback');
  await remotesPanel.getByRole('textbox', { name: 'Base URL' }).fill(apiUrl.replace(/\/v1$/, '/v2'));
  await remotesPanel.getByRole('button', { name: 'Add engine' }).click();
  await expect(remotesPanel.getByRole('alert')).toContainText('Not added:');
  await expect(remotesPanel.getByTestId('remote-engine')).toHaveCount(0);

  // The right one is added with the models it lists.
  await remotesPanel.getByRole('textbox', { name: 'Base URL' }).fill(apiUrl);
  await remotesPanel.getByRole('button', { name: 'Add engine' }).click();
  const engine = remotesPanel.getByTestId('remote-engine');
  await expect(engine.getByRole('list', { name: 'Models on Loopback' })).toContainText(storiesModel);
  await expect(engine).toContainText('No key');
  await expect(remotesPanel.getByRole('alert')).toHaveCount(0);

  // A chat on the remote model: choosing it loads nothing here; the API server loads it when the reply is asked for.
  await openView(page, 'Chat');
  await page.getByRole('button', { name: 'New chat', exact: true }).click();
  const picker = page.getByRole('combobox', { name: 'Model' });
  await expect(picker.locator('optgroup[label="Loopback"] option')).toHaveText([`${storiesModel} — Loopback`]);
  await picker.selectOption({ label: `${storiesModel} — Loopback` });
  await expect(page.getByTestId('engine-status')).toHaveText('No model loaded');
  await setSampling(page, { temperature: 0 });
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  await expect(lastReply(page)).toContainText('there was a little girl', { timeout: 60_000 });
  await expect(lastReply(page)).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
  await expect(picker.locator('option:checked')).toHaveText(`${storiesModel} — Loopback`);

  // The API request the chat made is on the dashboard with its figures, but has no chat of its own to open.
  await openView(page, 'Dashboard');
  const apiRow = page.getByRole('table', { name: 'Replies' }).getByRole('row').filter({ hasText: 'API /v1/chat/completions' });
  await expect(apiRow).toHaveCount(1);
  await expect(apiRow.getByRole('button')).toHaveCount(0);

  // Removed after a confirmation: its models leave the picker.
  await openView(page, 'Settings');
  await engine.getByRole('button', { name: 'Remove Loopback' }).click();
  await engine.getByTestId('delete-confirm').getByRole('button', { name: 'Delete' }).click();
  await expect(remotesPanel.getByTestId('remote-engine')).toHaveCount(0);
  await openView(page, 'Chat');
  await expect(picker.locator('optgroup')).toHaveCount(0);
});

test('offline mode blocks a download, and the outbound log shows what was refused', async ({ page, startHearth, request }) => {
  const server = await startHearth();
  await page.goto(server.pageUrl);
  await openView(page, 'Settings');
  const networkPanel = page.getByRole('region', { name: 'Network', exact: true });
  const offline = networkPanel.getByRole('switch', { name: 'Offline mode' });
  await expect(offline).toHaveAttribute('aria-checked', 'false');
  await offline.click();
  await expect(offline).toHaveAttribute('aria-checked', 'true');

  await openView(page, 'Models');
  const panel = page.getByRole('region', { name: 'Downloads' });
  await panel.getByRole('textbox', { name: 'Download source' }).fill('https://example.com/model.gguf');
  await panel.getByRole('button', { name: 'Check' }).click();
  await expect(panel.getByRole('alert')).toContainText('offline');

  await openView(page, 'Settings');
  const log = page.getByRole('table', { name: 'Outbound requests' });
  const blocked = log.locator('[data-testid="outbound"][data-blocked="true"]');
  await expect(blocked).toHaveCount(1);
  await expect(blocked).toContainText('https://example.com/model.gguf');
  await expect(blocked.getByRole('cell').last()).toHaveText('blocked');

  // While the view is open, new requests appear as they are made.
  await expect(callApi(request, server, 'downloads.inspect', { source: 'https://example.org/other.gguf' })).rejects.toThrow(/offline/);
  await expect(log.locator('[data-testid="outbound"]').first()).toContainText('https://example.org/other.gguf');
  await expect(blocked).toHaveCount(2);

  await offline.click();
  await expect(offline).toHaveAttribute('aria-checked', 'false');
  expect(await callApi(request, server, 'settings.network', {})).toEqual({ offline: false });
});

test('Settings → Updates in browser mode: the running version, and that updates belong to the desktop app', async ({ page, api }) => {
  await page.goto('/');
  await openView(page, 'Settings');
  const panel = page.getByRole('region', { name: 'Updates', exact: true });
  const { version } = (await api('app.info')) as { version: string };
  await expect(panel.getByTestId('update-version')).toHaveText(`This is Hearth ${version}.`);
  await expect(panel.getByRole('status')).toHaveText(/^Updates are handled by the desktop app.*git pull/);
  // Nothing to check, download or switch on here.
  await expect(panel.getByRole('button')).toHaveCount(0);
  await expect(panel.getByRole('switch')).toHaveCount(0);
});
