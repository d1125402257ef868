/**
 * `hearth start`: runs under plain Node, before any Electron exists. It finds Electron's binary,
 * starts the desktop app and watches it until its window is on screen; an Electron that cannot start
 * (no display, no binary, killed by the sandbox check, missing libraries) is reported with its reason
 * in one line and browser mode is served instead. better-sqlite3 and node-llama-cpp are Node-API
 * addons: the same binaries load in Node and in Electron, so nothing is built here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailedStart, desktopAlreadyOpenLine, desktopOpenLine, missingDisplayReason, type FailedStart } from './startup';

const requireFromHere = createRequire(import.meta.url);

/** An Electron binary to use instead of the `electron` package's (a system Electron, or a test's stand-in). */
export const electronBinaryEnv = 'HEARTH_ELECTRON';

export interface DesktopFlags {
  'data-dir'?: string;
  'models-dir'?: string;
}

/**
 * Electron's binary: the one named by HEARTH_ELECTRON, else the `electron` package's. Requiring the
 * package returns the binary's path (and, on first use, downloads it): done in a child so a failed or
 * offline download is a message, not a crash.
 */
function electronBinary(): { path: string } | { problem: string } {
  const override = process.env[electronBinaryEnv];
  if (override) return existsSync(override) ? { path: override } : { problem: `${electronBinaryEnv} names ${override}, which does not exist` };
  const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: dirname(requireFromHere.resolve('electron/package.json')),
    encoding: 'utf8',
    timeout: 10 * 60_000
  });
  if (result.status === 0 && result.stdout && existsSync(result.stdout)) return { path: result.stdout };
  return { problem: "Electron's binary is not installed and could not be downloaded (offline?)" };
}

/** Electron's binary, or the one reason the desktop app cannot start here. */
function prepareElectron(): { electron: string } | { problem: string } {
  const noDisplay = missingDisplayReason(process.platform, process.env);
  if (noDisplay) return { problem: noDisplay };
  const binary = electronBinary();
  return 'problem' in binary ? binary : { electron: binary.path };
}

function electronEnv(flags: DesktopFlags): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(flags['data-dir'] ? { HEARTH_DATA_DIR: resolve(flags['data-dir']) } : {}),
    ...(flags['models-dir'] ? { HEARTH_MODELS_DIR: resolve(flags['models-dir']) } : {})
  };
}

const stderrLinesKept = 20;

/**
 * Runs Electron with its output passed through, and resolves when it exits: `opened` says whether its
 * window was ever on screen (or another Hearth's was brought forward), `failure` how it ended otherwise.
 */
function runElectron(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ opened: boolean; failure: FailedStart; code: number }> {
  const child = spawn(command, args, { env, cwd, stdio: ['inherit', 'pipe', 'pipe'] });
  let opened = false;
  const stderrTail: string[] = [];
  let pendingStdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    pendingStdout += chunk.toString('utf8');
    if (pendingStdout.includes(desktopOpenLine) || pendingStdout.includes(desktopAlreadyOpenLine)) opened = true;
    pendingStdout = pendingStdout.slice(-Math.max(desktopOpenLine.length, desktopAlreadyOpenLine.length));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail.push(...chunk.toString('utf8').split('\n'));
    stderrTail.splice(0, Math.max(0, stderrTail.length - stderrLinesKept));
  });
  return new Promise((done) => {
    child.on('error', (error) => done({ opened: false, failure: { code: null, signal: null, stderrTail: [...stderrTail, error.message] }, code: 1 }));
    child.on('close', (code, signal) => done({ opened, failure: { code, signal, stderrTail }, code: code ?? 1 }));
  });
}

/** `hearth start`: the desktop window, or browser mode with the reason in one line. */
export async function launchDesktop(flags: DesktopFlags, serveBrowserMode: () => Promise<unknown>): Promise<void> {
  const fallBack = async (reason: string): Promise<void> => {
    console.log(`Hearth cannot open its desktop window: ${reason}. Serving browser mode instead; open the URL below.`);
    await serveBrowserMode();
  };
  const prepared = prepareElectron();
  if ('problem' in prepared) return fallBack(prepared.problem);
  const mainEntry = resolve(dirname(fileURLToPath(import.meta.url)), 'index.js');
  const run = await runElectron(prepared.electron, [mainEntry], electronEnv(flags));
  if (!run.opened) return fallBack(describeFailedStart(run.failure));
  process.exitCode = run.code;
}

/** `npm run dev`: electron-vite's dev server and hot reload. */
export async function launchDevelopment(flags: DesktopFlags, projectRoot: string): Promise<void> {
  const prepared = prepareElectron();
  if ('problem' in prepared) throw new Error(`the desktop app cannot start in development here: ${prepared.problem}. Use \`npm run serve\` instead.`);
  const electronVite = join(dirname(requireFromHere.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  const run = await runElectron(process.execPath, [electronVite, 'dev'], { ...electronEnv(flags), ELECTRON_EXEC_PATH: prepared.electron }, projectRoot);
  if (!run.opened) throw new Error(`the desktop app did not start: ${describeFailedStart(run.failure)}. Use \`npm run serve\` instead.`);
  process.exitCode = run.code;
}
