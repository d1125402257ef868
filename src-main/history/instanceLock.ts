import Database from 'better-sqlite3';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { errorMessageOf } from '../api';
import { privateFileMode } from '../paths';
import { type Db } from './db';

/** Who holds a history: written beside the lock once it is taken, read by the one refused. */
export interface LockHolder {
  pid: number;
  /** ms since the epoch. */
  since: number;
  command: string;
}

/** Another process holds this history; `holder` says which, when it could be read. */
export class HistoryLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holder: LockHolder | null
  ) {
    const who = holder ? `Hearth (pid ${holder.pid}, \`${holder.command}\`, running since ${new Date(holder.since).toLocaleString()})` : 'another Hearth';
    super(`${who} is already using the history at ${path}. Close it first, or start this one with another --data-dir.`);
    this.name = 'HistoryLockedError';
  }
}

/**
 * One process per history file, held by the operating system: SQLite's exclusive lock on a small file
 * beside the history (`<history>.lock`), which SQLite keeps until the connection closes when
 * `locking_mode` is EXCLUSIVE. The kernel drops it when the process dies, so a lock left by `kill -9`
 * is free at once — no stale-lock timeout to wait out, and no timer to keep a lock fresh.
 */
export class InstanceLock {
  private constructor(
    private readonly db: Db,
    private readonly holderFile: string
  ) {}

  static acquire(historyFile: string): InstanceLock {
    const lockFile = `${historyFile}.lock`;
    const holderFile = `${lockFile}.json`;
    closeSync(openSync(lockFile, 'a', privateFileMode));
    const db = new Database(lockFile, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at INTEGER); DELETE FROM held; INSERT INTO held VALUES (unixepoch()); COMMIT;');
    } catch (error) {
      db.close();
      if (/SQLITE_BUSY|locked/i.test(`${(error as { code?: string }).code} ${errorMessageOf(error)}`)) throw new HistoryLockedError(historyFile, readHolder(holderFile));
      throw error;
    }
    const holder: LockHolder = { pid: process.pid, since: Date.now(), command: commandLine() };
    writeFileSync(holderFile, JSON.stringify(holder), { mode: privateFileMode });
    return new InstanceLock(db, holderFile);
  }

  release(): void {
    rmSync(this.holderFile, { force: true });
    this.db.close();
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' && typeof holder.since === 'number' ? { pid: holder.pid, since: holder.since, command: String(holder.command ?? 'hearth') } : null;
  } catch {
    return null;
  }
}

/** "hearth serve --port 4317", from how this process was started. */
function commandLine(): string {
  const args = process.argv.slice(2);
  // Keys never leave the process, not even into this note.
  const shown = args.filter((arg, index) => !arg.startsWith('--api-key') && args[index - 1] !== '--api-key');
  return ['hearth', ...shown].join(' ').slice(0, 200);
}
