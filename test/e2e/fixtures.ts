import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedModels = resolve(repoRoot, '../shared/models');
export const storiesModel = 'stories260K.gguf';
export const brokenModel = 'broken.gguf';

export interface HearthServer {
  /** Where it serves, without the token (for API calls, which send it as a bearer header). */
  url: string;
  /** Browser mode's token, from the address the server printed. */
  token: string;
  /** The address a person opens: with `?token=`, which the server turns into a session cookie. */
  pageUrl: string;
  dataDir: string;
  modelsDir: string;
}

const startTimeoutMs = 60_000;

export interface ServerOptions {
  /** Extra environment for the server (e.g. HEARTH_HF_ENDPOINT, read once at startup). */
  env?: Record<string, string>;
  /**
   * 'test' (the default): stories260K plus a broken file. 'empty': nothing, as on a first run,
   * where Hearth writes its demo model into the folder at startup.
   */
  models?: 'test' | 'empty';
  /** More command-line arguments for `hearth serve` (e.g. `--api`). */
  args?: string[];
}

/** A server `startHearth` started, which the test may also stop and start again (same folders, port and token). */
export interface RestartableServer extends HearthServer {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts `hearth serve` (browser mode) on a free port with its own temporary data and models folders. */
async function startServer(options: ServerOptions = {}, again?: { root: string; port: number }): Promise<{ server: HearthServer; child: ChildProcess; root: string }> {
  const cli = resolve(repoRoot, 'out/main/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the app first (npx electron-vite build).`);
  if (!existsSync(resolve(repoRoot, 'out/renderer/index.html'))) throw new Error('out/renderer is missing: build the app first.');
  const root = again?.root ?? mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  const dataDir = join(root, 'data');
  const modelsDir = join(root, 'models');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(modelsDir, { recursive: true });
  if (!again && (options.models ?? 'test') === 'test') {
    copyFileSync(join(sharedModels, storiesModel), join(modelsDir, storiesModel));
    // A file the picker must list as unusable.
    writeFileSync(join(modelsDir, brokenModel), 'this is not a GGUF file');
  }

  const child = spawn(process.execPath, [cli, 'serve', '--port', String(again?.port ?? 0), '--data-dir', dataDir, '--models-dir', modelsDir, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, HEARTH_DATA_DIR: dataDir, HEARTH_MODELS_DIR: modelsDir },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  const pageUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`hearth serve did not start within ${startTimeoutMs} ms:\n${output}`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w%-]+/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hearth serve exited (${code}) before it was ready:\n${output}`));
    });
  });
  // Keep draining the pipes so the server never blocks on a full buffer; show its errors.
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[hearth serve] ${chunk.toString()}`));
  const address = new URL(pageUrl);
  const server = { url: address.origin, token: address.searchParams.get('token')!, pageUrl, dataDir, modelsDir };
  return { server, child, root };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Console errors a test may cause on purpose: HTTP error statuses of API calls that are expected to fail. */
const expectedConsoleErrors = [/Failed to load resource: the server responded with a status of 4\d\d/];

export const test = base.extend<
  {
    api: (method: string, input?: unknown) => Promise<unknown>;
    pageErrors: void;
    /** Console errors this test causes on purpose beyond the usual ones (e.g. requests refused while its server is stopped). */
    allowedConsoleError: RegExp | null;
    /**
     * Starts another Hearth server for this test only (its own folders, extra environment), stopped
     * after the test; open it with `page.goto(server.pageUrl)`. The worker's shared server is untouched.
     */
    startHearth: (options?: ServerOptions) => Promise<RestartableServer>;
  },
  { hearth: HearthServer }
>({
  hearth: [
    // Playwright reads a fixture's dependencies from its first parameter, which must be a destructuring pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { server, child, root } = await startServer();
      try {
        await use(server);
      } finally {
        await stopServer(child);
        rmSync(root, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: startTimeoutMs + 15_000 }
  ],
  // eslint-disable-next-line no-empty-pattern
  startHearth: async ({}, use) => {
    const started: { child: ChildProcess; root: string }[] = [];
    try {
      await use(async (options) => {
        const first = await startServer(options);
        const entry = { child: first.child, root: first.root };
        started.push(entry);
        const port = Number(new URL(first.server.url).port);
        return {
          ...first.server,
          stop: () => stopServer(entry.child),
          start: async () => {
            entry.child = (await startServer(options, { root: first.root, port })).child;
          }
        };
      });
    } finally {
      for (const { child, root } of started) {
        await stopServer(child);
        rmSync(root, { recursive: true, force: true });
      }
    }
  },
  baseURL: async ({ hearth }, use) => {
    await use(hearth.url);
  },
  /** The worker's server is opened as a person would, once: its token is already a session cookie. */
  context: async ({ context, hearth }, use) => {
    await context.addCookies([{ name: `hearth_session_${new URL(hearth.url).port}`, value: encodeURIComponent(hearth.token), url: hearth.url, httpOnly: true, sameSite: 'Strict' }]);
    await use(context);
  },
  /** Fails any test whose page logs an error: an exception, a CSP violation, a failed render. */
  allowedConsoleError: [null, { option: true }],
  pageErrors: [
    // Depends on startHearth so that it is torn down first: a test's own server stops only after its page's errors were checked.
    async ({ page, startHearth: _startHearth, allowedConsoleError }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        if ([...expectedConsoleErrors, allowedConsoleError].some((pattern) => pattern?.test(message.text()))) return;
        problems.push(`console error: ${message.text()}`);
      });
      await use();
      expect(problems, 'the page logged errors').toEqual([]);
    },
    { auto: true }
  ],
  /** Calls the API as the page would (POST /api/<method>), failing the test on {ok:false}. */
  api: async ({ request, hearth }, use) => {
    await use((method, input = {}) => callApi(request, hearth, method, input));
  }
});

/** Calls the API as a script would: POST /api/<method> with the server's token as a bearer header. */
export async function callApi(request: APIRequestContext, server: Pick<HearthServer, 'url' | 'token'>, method: string, input: unknown): Promise<unknown> {
  const response = await request.post(`${server.url}/api/${method}`, { data: input, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` } });
  const body = (await response.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method} failed: ${body.error?.code} ${body.error?.message}`);
  return body.result;
}

/** Picks a model in the Model picker and waits until the status bar says it is loaded. */
export async function pickModel(page: Page, name: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: name });
  await expect(page.getByTestId('engine-status')).toContainText(name, { timeout: 30_000 });
  await expect(page.getByTestId('engine-status')).not.toContainText('Loading');
  // The picker is enabled again once engine.load has answered (its status event comes first).
  await expect(page.getByRole('combobox', { name: 'Model' })).toBeEnabled();
}

/** Opens the conversation settings, sets temperature and max tokens, and saves. */
export async function setSampling(page: Page, settings: { temperature?: number; maxTokens?: number }): Promise<void> {
  await page.getByRole('button', { name: 'Chat settings', exact: true }).click();
  if (settings.temperature !== undefined) await page.getByLabel('Temperature').fill(String(settings.temperature));
  if (settings.maxTokens !== undefined) await page.getByLabel('Max tokens').fill(String(settings.maxTokens));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Conversation settings' })).toBeHidden();
}

/** Switches to one of the app's views with the navigation bar. */
export function openView(page: Page, name: 'Chat' | 'Models' | 'Documents' | 'Dashboard' | 'Settings') {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click();
}

export async function openDashboard(page: Page): Promise<void> {
  await openView(page, 'Dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
}

/** A message of an exported conversation, without its time (given in order when exported). */
export type ExportedMessage = { role: 'user' | 'assistant'; content: string; status: string; error?: string | null };

/** A conversation of one question and its reply (and any messages after them), as `conversations.import` takes it. */
export function conversationExport(title: string, question: string, reply: string, more: ExportedMessage[] = []): string {
  const now = Date.now();
  return JSON.stringify({
    format: 'hearth.conversation',
    version: 1,
    conversation: { title, model: null, systemPrompt: '', createdAt: now, updatedAt: now },
    messages: [
      { role: 'user', content: question, status: 'complete', createdAt: now },
      { role: 'assistant', content: reply, status: 'complete', createdAt: now + 1 },
      ...more.map((message, index) => ({ ...message, createdAt: now + 2 + index }))
    ]
  });
}

/** Sends a message in the open chat and waits for the reply to finish; returns the reply. */
export async function sendAndWait(page: Page, text: string) {
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill(text);
  await message.press('Enter');
  const reply = lastReply(page);
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 60_000 });
  return reply;
}

export function lastReply(page: Page) {
  return page.locator('[data-testid="message"][data-role="assistant"]').last();
}

export { expect };
