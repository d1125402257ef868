/** Shared pieces of the benchmark: processes and folders that are cleaned up, the API, statistics. */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = join(repoRoot, 'out/main/cli.js');
export const modelName = 'stories260K.gguf';
export const modelFile = resolve(repoRoot, '../shared/models', modelName);
export const prompt = 'Once upon a time';
export const chromiumPath = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';
/** The same settings for the app and for the raw runs: one thread, CPU only. */
export const benchEnv = { ...process.env, HEARTH_THREADS: '1', HEARTH_GPU: 'cpu' };

export function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

// Everything started or created here, undone on exit, on failure and on Ctrl+C.
const children = new Set();
const folders = new Set();

export function temporaryFolder(prefix) {
  const path = mkdtempSync(join(tmpdir(), `hearth-bench-${prefix}-`));
  folders.add(path);
  return path;
}

export function removeFolder(path) {
  rmSync(path, { recursive: true, force: true });
  folders.delete(path);
}

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function cleanUpNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const path of folders) rmSync(path, { recursive: true, force: true });
  folders.clear();
}

process.once('exit', cleanUpNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUpNow();
    process.exit(130);
  });
}

/**
 * A data folder and a models folder holding a model (the test model unless `model` names another:
 * {file, name, link}), under one temporary root. A large model is linked (`link`) rather than copied.
 */
export function freshFolders(prefix, model = { file: modelFile, name: modelName }) {
  const root = temporaryFolder(prefix);
  const dataDir = join(root, 'data');
  const modelsDir = join(root, 'models');
  mkdirSync(dataDir);
  mkdirSync(modelsDir);
  if (model.link) symlinkSync(model.file, join(modelsDir, model.name));
  else copyFileSync(model.file, join(modelsDir, model.name));
  return { root, dataDir, modelsDir };
}

/**
 * Spawns `hearth serve --port 0` from the build (with `env`, benchEnv by default) and resolves once it
 * prints its URL. `spawnedAt` is performance.now() just before the spawn (for the cold-start figure).
 */
export async function startServer(folders, env = benchEnv) {
  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', folders.dataDir, '--models-dir', folders.modelsDir], {
      cwd: repoRoot,
      env: { ...env, HEARTH_DATA_DIR: folders.dataDir, HEARTH_MODELS_DIR: folders.modelsDir },
      stdio: ['ignore', 'pipe', 'pipe']
    })
  );
  let output = '';
  const pageUrl = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`hearth serve did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = output.match(/Hearth is serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w%-]+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hearth serve exited (${code}) before it was ready:\n${output}`));
    });
  });
  // Keep draining its pipes so it never blocks on a full buffer.
  child.stdout.resume();
  child.stderr.resume();
  const address = new URL(pageUrl);
  const server = { url: address.origin, token: address.searchParams.get('token') };
  return {
    ...server,
    /** What a person opens: the token becomes the page's session cookie. */
    pageUrl,
    child,
    spawnedAt,
    call: (method, input = {}) => callApi(server, method, input),
    stop: () => stopProcess(child)
  };
}

export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function callApi(server, method, input = {}) {
  const response = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(input)
  });
  const body = await response.json();
  if (!body.ok) throw new Error(`${method} failed: ${body.error?.code} ${body.error?.message}`);
  return body.result;
}

export async function launchChromium() {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath} (set HEARTH_CHROMIUM, or apt-get install chromium).`);
  const { chromium } = await import('@playwright/test');
  // The end-to-end tests' flags (playwright.config.ts).
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  });
}

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, context, errors };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile, as Hearth's own metrics compute it. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function ms(value) {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}
