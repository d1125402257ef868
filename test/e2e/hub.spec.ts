import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { hubRepos, startTestHub } from '../helpers/test-hub';
import { expect, pickModel, sendAndWait, setSampling, sharedModels, storiesModel, test } from './fixtures';

const fileName = 'stories260K-Q8_0.gguf';
/** stories260K is 1.1 MB: at this rate its download takes ~7 s, long enough to watch from another view. */
const throttle = 160_000;

function openView(page: Page, name: 'Chat' | 'Models') {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click();
}

/** With HEARTH_E2E_SCREENSHOTS=<folder>, a part of the page is captured in both themes. */
async function screenshot(page: Page, part: Locator, name: string): Promise<void> {
  const folder = process.env.HEARTH_E2E_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await part.screenshot({ path: join(folder, `${name}-${colorScheme}.png`), animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: null });
}

async function percentOf(bar: Locator): Promise<number> {
  return Number((await bar.getAttribute('aria-valuenow')) ?? NaN);
}

test('a model found on the Hub: searched, a quantization picked by its fit, downloaded while the status bar shows it, loaded and chatted with', async ({ page, startHearth }) => {
  test.setTimeout(150_000);
  const hub = await startTestHub(readFileSync(join(sharedModels, storiesModel)));
  try {
    const server = await startHearth({ models: 'empty', env: { HEARTH_HF_ENDPOINT: hub.url } });
    await page.goto(server.pageUrl);
    await openView(page, 'Models');

    // Search: GGUF repositories by downloads; another order at once; a gated one says it needs a token.
    const panel = page.getByRole('region', { name: 'Find on the Hugging Face Hub' });
    await panel.getByRole('searchbox', { name: 'Search the Hub' }).fill('stories');
    await panel.getByRole('button', { name: 'Search', exact: true }).click();
    const repositories = panel.getByTestId('hub-repo');
    await expect(repositories).toHaveCount(3);
    await expect(repositories.locator('.name')).toHaveText([hubRepos.popular, hubRepos.open, hubRepos.gated]);
    await panel.getByRole('combobox', { name: 'Order' }).selectOption({ label: 'Most liked' });
    await expect(repositories.locator('.name')).toHaveText([hubRepos.gated, hubRepos.open, hubRepos.popular]);
    const gated = panel.locator(`[data-testid="hub-repo"][data-repo="${hubRepos.gated}"]`);
    await expect(gated.getByTestId('hub-gated')).toHaveText('Gated');
    await expect(gated.getByTestId('hub-access')).toContainText('Hugging Face token');

    // A repository's files by quantization, each with its size and fit; the split set as one file.
    const repository = panel.locator(`[data-testid="hub-repo"][data-repo="${hubRepos.open}"]`);
    await repository.getByRole('button', { name: new RegExp(`^${hubRepos.open}`) }).click();
    await expect(repository.getByTestId('hub-fit-basis')).toContainText(`read from the header of ${fileName}`);
    await expect(repository.getByTestId('hub-quant')).toHaveCount(3);
    await expect(repository.getByRole('heading', { level: 3 })).toHaveText(['BF16', 'F16', 'Q8_0']);
    const split = repository.locator('[data-testid="hub-file"][data-path="BF16/stories260K-BF16-00001-of-00002.gguf"]');
    await expect(split.getByTestId('hub-file-size')).toHaveText('3.0 MiB in 2 parts');
    await expect(split).toContainText('Split into 2 parts');
    const file = repository.locator(`[data-testid="hub-file"][data-path="${fileName}"]`);
    await expect(file.getByTestId('fit-badge')).toContainText(/CPU|Full GPU|Partial/);
    await expect(file.getByTestId('hub-fit-explanation')).toContainText(`${fileName}: 1 MiB weights + `);
    await screenshot(page, panel, 'hub-search');

    // Download it, then go elsewhere: the status bar shows it growing, and one click comes back to the Downloads panel.
    hub.faults.bytesPerSecond = throttle;
    await file.getByRole('button', { name: `Download ${fileName}` }).click();
    await expect(file.getByTestId('hub-file-download')).toContainText('see Downloads');
    await openView(page, 'Chat');
    const indicator = page.getByTestId('downloads-indicator');
    await expect(indicator.getByTestId('downloads-indicator-text')).toHaveText(/^1 download · \d+%/);
    const bar = indicator.getByRole('progressbar', { name: "All downloads' progress" });
    await expect.poll(() => percentOf(bar)).toBeGreaterThan(3);
    const early = await percentOf(bar);
    await expect.poll(() => percentOf(bar)).toBeGreaterThan(early);
    await expect(indicator.getByTestId('downloads-indicator-text')).toHaveText(/^1 download · \d+% · \d+ KiB\/s$/);
    await screenshot(page, page.getByRole('contentinfo', { name: 'Status' }), 'status-bar-downloads');
    await indicator.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
    await expect(page.getByTestId('downloads-panel')).toBeFocused();

    // Finished: said once, in a toast whose Load loads it; the indicator has gone and the file is installed.
    const toast = page.getByTestId('toast');
    await expect(toast).toContainText(`Downloaded ${fileName}`, { timeout: 30_000 });
    await expect(indicator).toHaveCount(0);
    await expect(file.getByTestId('hub-file-installed')).toHaveText('Installed');
    await toast.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('engine-status')).toContainText(`${fileName} · context`, { timeout: 30_000 });

    // And it chats.
    await openView(page, 'Chat');
    await pickModel(page, fileName);
    await setSampling(page, { temperature: 0, maxTokens: 24 });
    await expect(await sendAndWait(page, 'Once upon a time')).toContainText('Lily');
  } finally {
    await hub.close();
  }
});
