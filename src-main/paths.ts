import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HearthPaths {
  dataDir: string;
  modelsDir: string;
  databaseFile: string;
}

/** The platform's per-user application-data folder, as Electron's `app.getPath('appData')` would give it. */
export function platformAppDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return env.APPDATA || join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

/** Flags win over environment variables, which win over the platform default. Nothing is written to the CWD. */
export function resolvePaths(
  flags: { dataDir?: string; modelsDir?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform
): HearthPaths {
  const dataDir = resolve(flags.dataDir || env.HEARTH_DATA_DIR || join(platformAppDataDir(platform, env), 'Hearth'));
  const modelsDir = resolve(flags.modelsDir || env.HEARTH_MODELS_DIR || join(dataDir, 'models'));
  return { dataDir, modelsDir, databaseFile: join(dataDir, 'history.sqlite') };
}

/** Folders Hearth creates are its user's alone; so are its files (history, secrets, the browser token). */
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/**
 * Creates `dir` (and its parents) private to this user, or tightens it when it already exists with
 * looser permissions; returns a note saying what was tightened, or null. POSIX only: Windows folders
 * under the user's profile are private by their ACLs already.
 */
export function ensurePrivateDir(dir: string): string | null {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  return tighten(dir, privateDirMode);
}

/** Tightens an existing file to owner-only access; returns a note when it changed anything. */
export function ensurePrivateFile(file: string): string | null {
  return existsSync(file) ? tighten(file, privateFileMode) : null;
}

function tighten(path: string, mode: number): string | null {
  if (process.platform === 'win32') return null;
  const current = statSync(path).mode & 0o777;
  if ((current & ~mode) === 0) return null;
  chmodSync(path, current & mode);
  return `Tightened ${path} from ${current.toString(8)} to ${(current & mode).toString(8)}: Hearth's data is readable by its user only.`;
}
