import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startFileServer } from '../helpers/file-server';
import { expect, lastReply, pickModel, sendAndWait, setSampling, sharedModels, storiesModel, test } from './fixtures';

const fileName = 'stories260K-F32.gguf';
const source = `hf:org/tiny/${fileName}`;
const demoModel = 'hearth-demo.gguf';
/** stories260K is 1.1 MB: at this rate its download takes ~7 s, long enough to watch and pause. */
const throttle = 160_000;

function openView(page: Page, name: 'Chat' | 'Models') {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click();
}

function demoNotice(page: Page) {
  return page.getByRole('complementary', { name: 'About the demo model' });
}

async function percentOf(bar: Locator): Promise<number> {
  return Number((await bar.getAttribute('aria-valuenow')) ?? NaN);
}

/** With HEARTH_E2E_SCREENSHOTS=<folder>, the Downloads panel is captured mid-download in both themes. */
async function screenshotPanel(page: Page, panel: Locator): Promise<void> {
  const folder = process.env.HEARTH_E2E_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await panel.screenshot({ path: join(folder, `downloads-${colorScheme}.png`), animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: null });
}

test('a model from the Hub: checked before, watched, paused, resumed, loaded and chatted with', async ({ page, startHearth }) => {
  test.setTimeout(150_000);
  const hub = await startFileServer({ [`org/tiny/${fileName}`]: readFileSync(join(sharedModels, storiesModel)) });
  try {
    const server = await startHearth({ models: 'empty', env: { HEARTH_HF_ENDPOINT: hub.url } });
    await page.goto(server.pageUrl);
    // A first run: only the demo model, and the notice that says so.
    await expect(demoNotice(page)).toBeVisible();
    await openView(page, 'Models');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');

    // A recommendation's Download button starts its catalog file; this Hub does not list it, so the row says so and nothing is queued.
    const recommendation = page.getByTestId('recommendation').first();
    await recommendation.getByRole('button', { name: /^Download .+ \S+$/ }).click();
    await expect(recommendation.getByRole('alert')).toContainText(/Could not start the download: .* has no file /);
    const panel = page.getByRole('region', { name: 'Downloads' });
    await expect(panel.locator('[data-testid="download"]')).toHaveCount(0);

    // Check: the remote header is read and fitted before anything is downloaded.
    await panel.getByRole('textbox', { name: 'Download source' }).fill(source);
    await panel.getByRole('button', { name: 'Check' }).click();
    const inspection = panel.getByTestId('inspection');
    await expect(inspection).toContainText(fileName);
    await expect(inspection.getByTestId('fit-badge')).toContainText('CPU');
    await expect(inspection.getByTestId('inspection-explanation')).toContainText(/iB weights \+ .* → CPU only/);
    await expect(panel.locator(`[data-testid="download"][data-file="${fileName}"]`)).toHaveCount(0);

    // Download: the bar appears and grows, with speed and time left.
    hub.faults.bytesPerSecond = throttle;
    await inspection.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(inspection).toBeHidden();
    const row = panel.locator(`[data-testid="download"][data-file="${fileName}"]`);
    const bar = row.getByRole('progressbar', { name: `${fileName} download progress` });
    await expect(bar).toBeVisible();
    await expect(row.getByTestId('download-status')).toHaveText('Downloading');
    await expect.poll(() => percentOf(bar)).toBeGreaterThan(3);
    const early = await percentOf(bar);
    await expect.poll(() => percentOf(bar)).toBeGreaterThan(early);
    await expect(row.getByTestId('download-speed')).toHaveText(/^\d+ KiB\/s · \d+ s left$/);
    await screenshotPanel(page, panel);

    // Pause: it says so, and nothing more arrives.
    await row.getByRole('button', { name: `Pause ${fileName}` }).click();
    await expect(row.getByTestId('download-status')).toHaveText('Paused');
    await expect(row.getByRole('button', { name: `Resume ${fileName}` })).toBeVisible();
    await expect(row.getByRole('button', { name: `Pause ${fileName}` })).toHaveCount(0);
    const pausedAt = await percentOf(bar);
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(100);
    const pausedBytes = await row.getByTestId('download-bytes').textContent();
    await page.waitForTimeout(300);
    const sentWhilePaused = hub.bytesSent();
    await page.waitForTimeout(1200);
    expect(hub.bytesSent()).toBe(sentWhilePaused);
    await expect(row.getByTestId('download-bytes')).toHaveText(pausedBytes ?? '');
    expect(await percentOf(bar)).toBe(pausedAt);

    // Resume: it continues from the bytes on disk (a Range request naming the version it holds) and completes.
    await row.getByRole('button', { name: `Resume ${fileName}` }).click();
    await expect(row.getByTestId('download-status')).toHaveText('Completed', { timeout: 30_000 });
    await expect(bar).toHaveAttribute('aria-valuenow', '100');
    const transfers = hub.requests.filter((request) => request.path === `/org/tiny/resolve/main/${fileName}`);
    expect(transfers.some((request) => /^bytes=[1-9]\d*-\d*$/.test(request.range ?? '') && request.ifRange !== null)).toBe(true);

    // The installed list has it now; the demo notice has gone, since a real model is here.
    const installed = page.locator(`[data-testid="installed-model"][data-name="${fileName}"]`);
    await expect(installed).toBeVisible();
    await expect(installed.getByTestId('fit-badge')).toContainText('CPU');
    await expect(demoNotice(page)).toHaveCount(0);
    await expect(page.locator(`[data-testid="installed-model"][data-name="${demoModel}"]`).getByTestId('demo-badge')).toHaveText('Demo');

    // Load it, and chat.
    await installed.getByRole('button', { name: `Load ${fileName}` }).click();
    await expect(page.getByTestId('engine-status')).toContainText(`${fileName} · context`, { timeout: 30_000 });
    await openView(page, 'Chat');
    await setSampling(page, { temperature: 0, maxTokens: 24 });
    await expect(await sendAndWait(page, 'Once upon a time')).toContainText('Lily');

    // Delete asks first, unloads it and frees its bytes.
    await openView(page, 'Models');
    await installed.getByRole('button', { name: `Delete ${fileName}` }).click();
    const confirm = installed.getByRole('alertdialog');
    await expect(confirm).toContainText(`Delete ${fileName}? This frees 1.1 MiB. It is loaded now`);
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(installed).toHaveCount(0);
    await expect(page.getByTestId('toast')).toContainText(`Deleted ${fileName} · freed 1.1 MiB`);
    await expect(page.getByTestId('engine-status')).toHaveText('No model loaded');
    await expect(demoNotice(page)).toBeVisible();
  } finally {
    await hub.close();
  }
});

test('a first run explains the demo model, which says its one sentence; the notice stays dismissed', async ({ page, startHearth }) => {
  const server = await startHearth({ models: 'empty' });
  await page.goto(server.pageUrl);

  const notice = demoNotice(page);
  await expect(notice).toContainText("Hearth's built-in demo model");
  await expect(notice).toContainText('can only say one sentence');
  await notice.getByRole('button', { name: 'See recommendations' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  await expect(demoNotice(page)).toBeVisible();
  const demoRow = page.locator(`[data-testid="installed-model"][data-name="${demoModel}"]`);
  await expect(demoRow.getByTestId('demo-badge')).toHaveText('Demo');

  // Deleting asks first; Keep keeps it.
  await demoRow.getByRole('button', { name: `Delete ${demoModel}` }).click();
  const confirm = demoRow.getByRole('alertdialog');
  await expect(confirm).toContainText(`Delete ${demoModel}? This frees`);
  await confirm.getByRole('button', { name: 'Keep' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(demoRow).toBeVisible();

  // Importing a path that is not a model says why.
  await page.getByRole('button', { name: 'Import…' }).click();
  const importForm = page.getByRole('form', { name: 'Import a model' });
  await importForm.getByRole('textbox', { name: 'GGUF file path' }).fill('/nonexistent/model.gguf');
  await importForm.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(importForm.getByRole('alert')).toContainText('Import failed.');

  // The demo model chats: its one fixed sentence.
  await openView(page, 'Chat');
  await pickModel(page, demoModel);
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Hello, who are you?');
  await message.press('Enter');
  await expect(lastReply(page).getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  await expect(lastReply(page)).toContainText("Hello! I am Hearth's built-in demo model.");

  // Dismissed, it stays dismissed (in this browser profile), in both views.
  await demoNotice(page).getByRole('button', { name: 'Dismiss' }).click();
  await expect(demoNotice(page)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(demoNotice(page)).toHaveCount(0);
  await openView(page, 'Models');
  await expect(page.locator(`[data-testid="installed-model"][data-name="${demoModel}"]`)).toBeVisible();
  await expect(demoNotice(page)).toHaveCount(0);
});
