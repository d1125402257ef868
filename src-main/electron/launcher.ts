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
import { constants } from 'node:os';

const requireFromHere = createRequire(import.meta.url);

export interface DesktopFlags {
  'data-dir'?: string;
  'models-dir'?: string;
}

/**
 * Printed on stdout by the desktop app (main.ts) once its first window is on screen: until then an
 * exit is a failed start. Also printed when another Hearth already has the window open.
 */
export const desktopOpenLine = '[hearth] desktop window open';
export const desktopAlreadyOpenLine = '[hearth] Hearth is already open on this data folder: its window was brought to the front';

/** An Electron binary to use instead of the `electron` package's (a system Electron, or a test's stand-in). */
export const electronBinaryEnv = 'HEARTH_ELECTRON';

/** Why the desktop window cannot open on this machine, or null when it can. */
export function missingDisplayReason(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  return null;
}

/** How an Electron process ended before its window opened. `stderrTail` holds its last lines of stderr, oldest first. */
export interface FailedStart {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: readonly string[];
}

/** Known causes, recognised in Electron's stderr, with what the user can do about each. */
const knownCauses: Array<{ pattern: RegExp; advice: string }> = [
  {
    pattern: /SUID sandbox helper binary|setuid_sandbox|No usable sandbox|unprivileged user namespaces?/i,
    advice:
      "Chromium's sandbox cannot start: this system (Ubuntu 23.10+ with AppArmor, or a container) forbids the user namespaces an unpackaged Electron needs. The installed app (AppImage or .deb) sets this up; running from source, see README → Develop"
  },
  { pattern: /error while loading shared libraries: (\S+)/i, advice: 'a system library Electron needs is missing' },
  { pattern: /Missing X server or \$DISPLAY|cannot open display|Failed to connect to Wayland display/i, advice: 'no display could be opened' }
];

/**
 * The one-line reason an Electron start failed: how it ended (exit code or signal), the known cause
 * with advice where stderr shows one, and the last line Electron wrote to stderr.
 */
export function describeFailedStart(failure: FailedStart): string {
  const ending = failure.signal
    ? `Electron was killed by ${failure.signal}${signalNumber(failure.signal)}`
    : `Electron exited with code ${failure.code ?? 'unknown'}`;
  const stderr = failure.stderrTail.join('\n');
  const cause = knownCauses.find(({ pattern }) => pattern.test(stderr));
  const lastLine = [...failure.stderrTail].reverse().find((line) => line.trim() !== '');
  const parts = [ending + ' before its window opened'];
  if (cause) parts.push(cause.advice);
  if (lastLine) parts.push(`Electron said: "${lastLine.trim()}"`);
  return parts.join('; ');
}

function signalNumber(signal: NodeJS.Signals): string {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? '' : ` (signal ${number})`;
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
