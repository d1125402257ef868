import { callApi, expect, pickModel, storiesModel, test } from './fixtures';

interface Tokenized {
  tokens: { id: number; text: string }[];
}

interface NextTokens {
  candidates: { id: number; text: string; probability: number }[];
}

test('the playground shows the loaded model’s tokens and next-token odds', async ({ page, request, hearth }) => {
  const tokenize = (text: string) => callApi(request, hearth, 'inspect.tokenize', { text }) as Promise<Tokenized>;
  const mostLikely = async (prompt: string) =>
    ((await callApi(request, hearth, 'inspect.nextTokens', { prompt, top: 1 })) as NextTokens).candidates[0].text;
  // Another spec in this worker may have left a model loaded.
  await callApi(request, hearth, 'engine.unload', {});

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Playground', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Playground');

  // With no model loaded the panel says so inline, and the app keeps running.
  const text = page.getByLabel('Text to tokenize');
  await text.fill('Once upon a time');
  await expect(page.getByRole('alert').filter({ hasText: 'No model is loaded' })).toBeVisible();

  // Loading one (as a user would, in the view's model picker) tokenizes what was typed.
  await pickModel(page, storiesModel);
  const { tokens } = await tokenize('Once upon a time');
  expect(tokens.length).toBeGreaterThan(0);
  await expect(page.getByTestId('token-count')).toHaveText(`${tokens.length} ${tokens.length === 1 ? 'token' : 'tokens'}`);
  const chips = page.getByRole('list', { name: 'Tokens' }).getByRole('listitem');
  await expect(chips).toHaveCount(tokens.length);
  await expect(chips.first()).toContainText(String(tokens[0].id));
  await expect(page.getByText(/characters per token/)).toBeVisible();

  // A character the vocabulary has no token for comes as byte tokens, each shown as llama.cpp names it.
  await text.fill('😀');
  await expect(chips.locator('.text')).toContainText(['<0xF0>', '<0x9F>', '<0x98>', '<0x80>']);

  // The next-token panel lists the model's candidates.
  const prompt = page.getByLabel('Prompt', { exact: true });
  await prompt.fill('Once upon a time');
  await page.getByRole('button', { name: 'Show next tokens' }).click();
  const candidates = page.getByTestId('candidate');
  await expect(candidates).toHaveCount(20);
  // The top-k slider goes as far as the candidates the settings act on.
  const topK = await page.getByLabel('Top-k', { exact: true }).getAttribute('max');
  await expect(page.getByText(`Settings are applied to the ${topK} most likely tokens`)).toBeVisible();

  // Temperature 0 is greedy: one candidate keeps all the probability, the rest are marked cut.
  await page.getByLabel('Temperature', { exact: true }).fill('0');
  const kept = page.locator('[data-testid="candidate"]:not([data-cut-by])');
  await expect(kept).toHaveCount(1);
  await expect(kept.getByTestId('reshaped')).toHaveText('100.0%');
  await expect(page.locator('[data-testid="candidate"][data-cut-by]')).toHaveCount(19);
  await expect(page.locator('[data-testid="candidate"][data-cut-by]').first().getByTestId('reshaped')).toHaveText(/^cut by /);

  // "Append most likely" adds the top candidate, then shows what follows it.
  const first = `Once upon a time${await mostLikely('Once upon a time')}`;
  await page.getByRole('button', { name: 'Append most likely' }).click();
  await expect(prompt).toHaveValue(first);
  await expect(page.getByRole('button', { name: 'Append most likely' })).toBeEnabled();

  // "Sample one" at temperature 0 picks the most likely token too.
  const second = `${first}${await mostLikely(first)}`;
  await page.getByRole('button', { name: 'Sample one' }).click();
  await expect(prompt).toHaveValue(second);
  await expect(page.getByTestId('sampled')).toBeVisible();
});
