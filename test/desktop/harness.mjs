// The desktop smoke test's process: runs the real main bundle (out/main/index.js), which loads the real
// preload bundle and the real renderer, with `electron` resolved to the stand-in (electron-standin.mjs),
// for `import` and `require` alike. It sends one chat on stories260K through the window, as a person
// would, and prints one line `HARNESS {json}` with what it saw; the test decides from that line.
// Environment: HEARTH_DATA_DIR and HEARTH_MODELS_DIR (stories260K.gguf inside) are set by the test;
// HEARTH_STANDIN_PRELOAD swaps in another preload file.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const standinUrl = new URL('./electron-standin.mjs', import.meta.url).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: standinUrl, format: 'module', shortCircuit: true };
    return nextResolve(specifier, context);
  }
});

const { standin } = await import('electron');
const { expect } = await import('@playwright/test');

const result = { windowOpened: false, bridge: null, preloadError: null, cspBlockedInlineScript: null, reply: null, secretsNote: null, error: null };
const timeout = 60_000;

async function firstWindow() {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const window = standin.windows.find((candidate) => candidate.shown);
    if (window) return window;
    if (standin.errorBoxes.length > 0) throw new Error(`the app showed an error: ${standin.errorBoxes.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no window opened within a minute');
}

/** An inline script added to the page must not run: the CSP came with the app's own protocol answer. */
async function inlineScriptBlocked(page) {
  return page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective));
    const script = document.createElement('script');
    script.textContent = 'window.__inlineScriptRan = true;';
    document.head.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return window.__inlineScriptRan !== true && violations.some((directive) => directive.startsWith('script-src'));
  });
}

async function sendOneChat(page) {
  await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'stories260K.gguf' });
  await expect(page.getByTestId('engine-status')).toContainText('stories260K.gguf', { timeout });
  await expect(page.getByTestId('engine-status')).not.toContainText('Loading', { timeout });
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Once upon a time');
  await message.press('Enter');
  const reply = page.locator('[data-testid="message"][data-role="assistant"]').last();
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout });
  return (await reply.locator('.markdown').textContent())?.trim() ?? '';
}

async function secretsNote(page) {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings', exact: true }).click();
  return page.getByTestId('secrets-storage').textContent({ timeout: 15_000 });
}

try {
  await import(pathToFileURL(new URL('../../out/main/index.js', import.meta.url).pathname).href);
  const window = await firstWindow();
  result.windowOpened = true;
  const { page } = window;
  result.bridge = await page.evaluate(() => (window.hearth ? Object.keys(window.hearth).sort() : null));
  // Without the bridge the renderer falls back to HTTP, which the desktop app does not serve: nothing to send over.
  if (!result.bridge) throw new Error('window.hearth is missing: the preload did not run, or exposed another name');
  result.cspBlockedInlineScript = await inlineScriptBlocked(page);
  result.reply = await sendOneChat(page);
  result.secretsNote = await secretsNote(page);
} catch (error) {
  result.error = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' / ') : String(error);
}
result.invocations = standin.invocations.length;
result.pushes = standin.pushes.length;
result.errorBoxes = standin.errorBoxes;
result.privilegedSchemes = standin.privilegedSchemes;
console.log(`HARNESS ${JSON.stringify(result)}`);
const { app } = await import('electron');
app.quit();
await Promise.race([standin.quit, new Promise((resolve) => setTimeout(resolve, 20_000))]);
process.exit(0);
