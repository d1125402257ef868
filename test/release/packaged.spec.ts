import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import { lastReply, openView, pickModel, repoRoot, setSampling, storiesModel } from '../e2e/fixtures';

/**
 * The executable of electron-builder's unpacked build for this OS in dist/: win-unpacked/Hearth.exe,
 * mac-arm64/ (Apple silicon) or mac/ (Intel) Hearth.app, linux-unpacked/hearth. The file names follow the
 * product name, so each place is searched rather than assumed; HEARTH_PACKAGED_APP names it outright.
 */
function packagedExecutable(): string {
  if (process.env.HEARTH_PACKAGED_APP) return resolve(process.env.HEARTH_PACKAGED_APP);
  const dist = join(repoRoot, 'dist');
  const folders = existsSync(dist) ? readdirSync(dist, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
  const candidates: string[] = [];
  for (const folder of folders) {
    if (process.platform === 'darwin' && folder.startsWith('mac')) {
      for (const bundle of readdirSync(join(dist, folder)).filter((name) => name.endsWith('.app'))) candidates.push(join(dist, folder, bundle, 'Contents', 'MacOS', bundle.slice(0, -'.app'.length)));
    } else if (process.platform === 'win32' && folder === 'win-unpacked') {
      candidates.push(...['Hearth.exe', 'hearth.exe'].map((name) => join(dist, folder, name)));
    } else if (process.platform === 'linux' && folder === 'linux-unpacked') {
      candidates.push(...['hearth', 'Hearth'].map((name) => join(dist, folder, name)));
    }
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`No packaged app for ${process.platform} in ${dist} (looked for ${candidates.join(', ') || 'its unpacked folder'}): run npm run package first, or set HEARTH_PACKAGED_APP.`);
  return found;
}

test('the packaged app starts as an installed app and answers a chat with stories260K', async () => {
  const modelsDir = process.env.HEARTH_MODELS_DIR ? resolve(process.env.HEARTH_MODELS_DIR) : '';
  expect(existsSync(join(modelsDir, storiesModel)), `HEARTH_MODELS_DIR must hold ${storiesModel}`).toBe(true);
  // A data folder of its own: a first run, as after installing.
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-release-'));
  const app = await _electron.launch({
    executablePath: packagedExecutable(),
    // An unpacked Linux build has no setuid chrome-sandbox (the .deb and AppImage set theirs up), and CI runners forbid the namespace sandbox.
    args: process.platform === 'linux' ? ['--no-sandbox'] : [],
    env: { ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_MODELS_DIR: modelsDir },
    timeout: 120_000
  });
  try {
    expect(await app.evaluate(({ app: electronApp }) => electronApp.isPackaged)).toBe(true);
    const window = await app.firstWindow();
    await expect(window.getByRole('button', { name: 'New chat', exact: true })).toBeVisible({ timeout: 60_000 });

    await pickModel(window, storiesModel);
    await setSampling(window, { temperature: 0, maxTokens: 32 });
    const message = window.getByRole('textbox', { name: 'Message' });
    await message.fill('Once upon a time');
    await message.press('Enter');
    await expect(lastReply(window)).toContainText('there was a little girl', { timeout: 60_000 });
    await expect(lastReply(window)).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });

    // An installed build offers to check for updates, and has not checked on its own.
    await openView(window, 'Settings');
    const updates = window.getByRole('region', { name: 'Updates', exact: true });
    await expect(updates.getByRole('status')).toHaveText('Not checked since Hearth started.');
    await expect(updates.getByRole('button', { name: 'Check for updates' })).toBeEnabled();
    await expect(updates.getByRole('switch', { name: 'Check at startup' })).toHaveAttribute('aria-checked', 'false');
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
