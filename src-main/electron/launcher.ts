/**
 * `hearth start`: runs under plain Node, before any Electron exists. It finds (or lets the `electron`
 * package fetch) Electron's binary, makes sure better-sqlite3 has a build for Electron's ABI, and starts
 * the desktop app; where any of that cannot happen it says why in one line and serves browser mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteBindingEnv } from '../history';

const requireFromHere = createRequire(import.meta.url);

export interface DesktopFlags {
  'data-dir'?: string;
  'models-dir'?: string;
}

/** Why the desktop window cannot open on this machine, or null when it can. */
export function missingDisplayReason(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  return null;
}

/** Where the Electron-ABI build of better-sqlite3 is kept: one per Electron version, platform and architecture. */
export function electronSqliteBindingPath(cacheRoot: string, electronVersion: string, platform = process.platform, arch = process.arch): string {
  return join(cacheRoot, `better-sqlite3-electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

/**
 * Requiring the `electron` package returns the binary's path and downloads it on first use;
 * done in a child so a failed or offline download is a message, not a crash.
 */
function electronBinary(): { path: string } | { problem: string } {
  const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: dirname(requireFromHere.resolve('electron/package.json')),
    encoding: 'utf8',
    timeout: 10 * 60_000
  });
  if (result.status === 0 && result.stdout && existsSync(result.stdout)) return { path: result.stdout };
  return { problem: "Electron's binary is not installed and could not be downloaded (offline?)" };
}

function run(command: string, args: string[], cwd: string): boolean {
  return spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' }).status === 0;
}

/** Builds better-sqlite3 for Electron in a scratch copy, so the Node build that tests and the CLI use stays untouched. */
function buildElectronSqlite(target: string, electronVersion: string): boolean {
  const source = dirname(requireFromHere.resolve('better-sqlite3/package.json'));
  const scratch = mkdtempSync(join(tmpdir(), 'hearth-sqlite-'));
  try {
    const copy = join(scratch, 'better-sqlite3');
    cpSync(source, copy, { recursive: true, filter: (path) => !path.includes(`${join(source, 'build')}`) });
    const prebuildInstall = join(dirname(requireFromHere.resolve('prebuild-install/package.json')), 'bin.js');
    const built =
      run(process.execPath, [prebuildInstall, '--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`], copy) ||
      run('npm', ['exec', '--yes', '--', 'node-gyp', 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], copy);
    const binary = join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (!built || !existsSync(binary)) return false;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(binary, target);
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

type Prepared = { electron: string; sqliteBinding: string } | { problem: string };

/** Everything the desktop app needs before Electron starts, or the one reason it cannot start here. */
function prepareElectron(): Prepared {
  const noDisplay = missingDisplayReason(process.platform, process.env);
  if (noDisplay) return { problem: noDisplay };
  const binary = electronBinary();
  if ('problem' in binary) return binary;
  const electronVersion = (requireFromHere('electron/package.json') as { version: string }).version;
  const cacheRoot = resolve(dirname(requireFromHere.resolve('better-sqlite3/package.json')), '..', '.hearth-native');
  const sqliteBinding = electronSqliteBindingPath(cacheRoot, electronVersion);
  if (!existsSync(sqliteBinding) && !buildElectronSqlite(sqliteBinding, electronVersion)) {
    return { problem: `better-sqlite3 could not be built for Electron ${electronVersion}` };
  }
  return { electron: binary.path, sqliteBinding };
}

function electronEnv(flags: DesktopFlags, sqliteBinding: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [electronSqliteBindingEnv]: sqliteBinding,
    ...(flags['data-dir'] ? { HEARTH_DATA_DIR: resolve(flags['data-dir']) } : {}),
    ...(flags['models-dir'] ? { HEARTH_MODELS_DIR: resolve(flags['models-dir']) } : {})
  };
}

function exitWith(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((done) => child.on('exit', (code) => ((process.exitCode = code ?? 0), done())));
}

/** `hearth start`: the desktop window, or browser mode with the reason in one line. */
export async function launchDesktop(flags: DesktopFlags, serveBrowserMode: () => Promise<unknown>): Promise<void> {
  const prepared = prepareElectron();
  if ('problem' in prepared) {
    console.log(`Hearth cannot open its desktop window: ${prepared.problem}. Serving browser mode instead; open the URL below.`);
    await serveBrowserMode();
    return;
  }
  const mainEntry = resolve(dirname(fileURLToPath(import.meta.url)), 'index.js');
  await exitWith(spawn(prepared.electron, [mainEntry], { stdio: 'inherit', env: electronEnv(flags, prepared.sqliteBinding) }));
}

/** `npm run dev`: electron-vite's dev server and hot reload, with the same native-module preparation. */
export async function launchDevelopment(flags: DesktopFlags, projectRoot: string): Promise<void> {
  const prepared = prepareElectron();
  if ('problem' in prepared) throw new Error(`the desktop app cannot start in development here: ${prepared.problem}. Use \`npm run serve\` instead.`);
  const electronVite = join(dirname(requireFromHere.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  await exitWith(spawn(process.execPath, [electronVite, 'dev'], { cwd: projectRoot, stdio: 'inherit', env: electronEnv(flags, prepared.sqliteBinding) }));
}
