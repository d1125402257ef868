import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeSparseShapeFixture, type ModelShape } from '../fixtures/shapes';
import { expect, sendAndWait, setSampling, storiesModel, test } from './fixtures';

/** A "70B" whose tensors are described, not stored: the estimator sees a 40 GiB model in a 1 MB file. */
const llama2_70b: ModelShape = { name: 'Llama 2 70B', architecture: 'llama', layers: 80, embedding: 8192, feedForward: 28672, heads: 64, kvHeads: 8, headDim: 128, vocab: 32000, contextLength: 4096 };
const bigModel = 'llama-2-70b.Q4_K_M.gguf';

function openView(page: Page, name: 'Chat' | 'Models') {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click();
}

function installedRow(page: Page, name: string) {
  return page.locator(`[data-testid="installed-model"][data-name="${name}"]`);
}

/** Each recommended model's explanation, by catalog id. */
async function explanations(page: Page): Promise<Record<string, string>> {
  return page.locator('[data-testid="recommendation"]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((row) => [row.getAttribute('data-model'), row.querySelector('[data-testid="fit-explanation"]')?.textContent ?? '']))
  );
}

test('the Models view: this machine, live recommendations, the calculator, and a guarded load', async ({ page, hearth }) => {
  writeSparseShapeFixture(join(hearth.modelsDir, bigModel), llama2_70b);
  await page.goto('/');
  await openView(page, 'Models');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');

  // Your machine: this machine's real facts.
  const machine = page.getByRole('region', { name: 'Your machine' });
  await expect(machine.getByTestId('llama-backend')).toHaveText('CPU');
  await expect(machine.getByTestId('ram-total')).toHaveText(`${(totalmem() / 1024 ** 3).toFixed(1)} GiB`);
  await expect(machine.getByTestId('cpu-cores')).toContainText(`${availableParallelism()} threads`);
  await expect(machine.getByText(/AVX2: (yes|no|unknown)/)).toBeVisible();

  // Recommendations: a badge, a sentence that adds up, a labelled memory bar.
  const first = page.getByTestId('recommendation').first();
  await expect(first.getByTestId('fit-badge')).toHaveText(/^Fit: (Full GPU|Partial \d+\/\d+|CPU|Too large)\./);
  await expect(first.getByTestId('fit-explanation')).toContainText(/(GiB|MiB) weights \+/);
  await expect(first.getByText(/tok\/s est\.|speed unknown/)).toBeVisible();
  await expect(first.getByRole('img', { name: /^RAM: .* (GiB|MiB) weights, .* KV cache, .* buffers; .* (free|over) of a .* budget$/ })).toBeVisible();
  // Why it ranks first, and the quality cost in words, with the measurement behind them one click away.
  await expect(first.getByTestId('rank-reason')).toHaveText(/^Usable: .* above your 5 tok\/s floor/);
  await expect(first.getByTestId('quality')).toHaveText(/^Quality: (near-lossless|small loss|noticeable loss|large loss|original precision|not measured)$/);
  await first.getByTestId('quality').click();
  await expect(first.getByTestId('quality-detail')).toContainText('llama.cpp');

  // The usable-speed floor: at 1000 tok/s every pick that fits is slow here, flagged, and says why.
  const floor = page.getByLabel('Usable speed (tok/s)');
  await floor.fill('1000');
  await floor.press('Tab');
  await expect(first.getByTestId('slow-flag')).toHaveText('Slow on this machine');
  await expect(first.getByTestId('rank-reason')).toContainText('below your 1000 tok/s floor');
  await floor.fill('5');
  await floor.press('Tab');
  await expect(first.getByTestId('slow-flag')).toHaveCount(0);

  // What-if: the context slider, by keyboard, re-ranks and every estimate follows.
  const slider = page.getByRole('slider', { name: 'Context length' });
  await expect(page.getByTestId('context-value')).toHaveText('8K');
  const before = await explanations(page);
  await slider.focus();
  await slider.press('ArrowRight');
  await slider.press('ArrowRight');
  await expect(page.getByTestId('context-value')).toHaveText('32K');
  await expect(slider).toHaveAttribute('aria-valuetext', '32K (32,768 tokens)');
  await expect
    .poll(async () => {
      const after = await explanations(page);
      return Object.keys(after).some((model) => after[model] !== before[model] && after[model].includes('(32K)'));
    })
    .toBe(true);

  // A row opens to its own what-if: another quantization is estimated on the spot.
  await first.getByTitle('Try other quantizations and GPU layers').click();
  const whatIf = first.getByRole('group', { name: /^What if: / });
  await expect(whatIf.getByTestId('whatif-explanation')).toContainText(/(GiB|MiB) weights \+/);

  // The memory calculator: 7 B parameters at INT4 are 7e9 × 18/32 bytes = 3.94e9 bytes = 3.7 GiB.
  await page.getByRole('button', { name: 'Memory calculator' }).click();
  const calculator = page.getByRole('region', { name: 'Memory calculator' });
  await calculator.getByLabel('Parameters (billions)').fill('7');
  await expect(calculator.getByTestId('calc-weights')).toHaveText('13.0 GiB');
  await calculator.getByLabel('Precision').selectOption({ label: 'INT4' });
  await expect(calculator.getByTestId('calc-weights')).toHaveText('3.7 GiB');

  // Installed models: stories260K fits on the CPU; the header-only 70B does not, and its load is refused.
  const stories = installedRow(page, storiesModel);
  const big = installedRow(page, bigModel);
  await expect(stories.getByTestId('fit-badge')).toContainText('CPU');
  await expect(stories.getByTestId('node-llama-cpp')).toContainText('node-llama-cpp estimates');
  await expect(big.getByTestId('fit-badge')).toContainText('Too large');
  // The worker's server is shared with the other specs: a model may be loaded already; the refusal must not change it.
  const status = page.getByTestId('engine-status');
  const statusBefore = (await status.textContent()) ?? '';
  await big.getByRole('button', { name: `Load ${bigModel}` }).click();
  const refusal = big.getByTestId('load-refusal');
  await expect(refusal).toContainText(/GiB weights \+ .* → too large/);
  await expect(refusal.getByRole('button', { name: 'Load anyway' })).toBeVisible();
  await expect(status).toHaveText(statusBefore);
  await expect(status).not.toContainText(bigModel);

  // The app keeps working: stories260K loads. The 32K chosen above is beyond its trained 2,048 tokens, so the loader
  // caps the context and says so; our estimate stands beside the measurement.
  await stories.getByRole('button', { name: new RegExp(`^(Load|Reload) ${storiesModel}$`) }).click();
  await expect(status).toContainText(`${storiesModel} · context 2,048`, { timeout: 30_000 });
  const measurement = stories.getByTestId('load-measurement');
  await expect(measurement).toHaveText(/^Loaded at 2,048 tokens: estimated [\d.]+ MiB, measured [\d.]+ MiB/);
  // A fresh load says why the context is smaller; one already loaded at 2,048 by an earlier spec on this server is kept as it was.
  if (!statusBefore.includes(storiesModel)) await expect(measurement).toContainText("Context capped at the model's trained 2048 tokens (32768 was asked for).");

  // …and the chat still answers with it.
  await openView(page, 'Chat');
  await setSampling(page, { temperature: 0, maxTokens: 24 });
  await expect(await sendAndWait(page, 'Once upon a time')).toContainText('Lily');
});
