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
