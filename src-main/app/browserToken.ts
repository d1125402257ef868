import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, privateFileMode } from '../paths';

/** The file in the data folder holding browser mode's token. */
export const browserTokenFile = 'browser-token';

/**
 * Browser mode's secret for this data folder: made once (24 random bytes, base64url) and kept in a file
 * only its user can read, so the address `hearth serve` prints keeps working across restarts while
 * other users of the machine cannot open it.
 */
export function browserToken(dataDir: string): string {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, browserTokenFile);
  const note = ensurePrivateFile(file);
  if (note) console.warn(`[hearth] ${note}`);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (/^[\w-]{32,}$/.test(stored)) return stored;
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: privateFileMode });
  return token;
}
