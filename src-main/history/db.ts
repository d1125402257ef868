import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessageOf } from '../api';
import { ensurePrivateDir, ensurePrivateFile, privateFileMode } from '../paths';
import { migrations } from './migrations';

export type Db = Database.Database;

/** `PRAGMA application_id` of Hearth's history files ("HRTH"): a SQLite file without it is not Hearth's. */
export const hearthApplicationId = 0x48525448;

/**
 * How long a write waits for a lock another program holds before failing with SQLITE_BUSY. The driver
 * is synchronous, so the wait stalls every client: kept short, and failed writes are retried above.
 */
export const busyTimeoutMs = 1000;

export type HistoryProblem = 'not-sqlite' | 'foreign' | 'damaged' | 'unreadable' | 'unwritable' | 'newer';

/** The history file cannot be used as it is; nothing was written to it. `path` and `problem` say which and why. */
export class HistoryFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: HistoryProblem,
    message: string
  ) {
    super(message);
    this.name = 'HistoryFileError';
  }
}

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Checks an existing file before anything writes to it: a SQLite database, Hearth's (its application id,
 * or the tables of a Hearth from before the id), not from a newer Hearth, and passing `quick_check`.
 * Returns how long the check took (ms). Throws HistoryFileError otherwise.
 */
export function checkHistoryFile(file: string): number {
  const startedAt = performance.now();
  if (!existsSync(file) || statSync(file).size === 0) return 0;
  const head = Buffer.alloc(sqliteHeader.length);
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch (error) {
    throw new HistoryFileError(file, 'unreadable', `Hearth cannot read its history at ${file}: ${errorMessageOf(error)}. Check the file's permissions.`);
  }
  try {
    readSync(descriptor, head, 0, head.length, 0);
  } finally {
    closeSync(descriptor);
  }
  if (!head.equals(sqliteHeader)) throw new HistoryFileError(file, 'not-sqlite', `${file} is not a SQLite database, so it is not a Hearth history; it was left untouched.`);
  // A read-only look at a WAL database still makes its -wal and -shm files: those go again afterwards.
  const sideFiles = ['-wal', '-shm'].map((suffix) => `${file}${suffix}`).filter((side) => !existsSync(side));
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new HistoryFileError(file, 'unreadable', `Hearth cannot open its history at ${file}: ${errorMessageOf(error)}.`);
  }
  try {
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const oursBeforeTheId = applicationId === 0 && version > 0 && tables.includes('conversations') && tables.includes('messages');
    const empty = applicationId === 0 && version === 0 && tables.length === 0;
    if (applicationId !== hearthApplicationId && !oursBeforeTheId && !empty) {
      const what = applicationId !== 0 ? `its application id is ${applicationId}` : `its tables are ${tables.slice(0, 5).join(', ') || 'none'}`;
      throw new HistoryFileError(file, 'foreign', `${file} is a SQLite database but not a Hearth history (${what}); it was left untouched.`);
    }
    if (version > migrations.length) {
      throw new HistoryFileError(file, 'newer', `The history at ${file} is from a newer Hearth (schema ${version}, this build knows ${migrations.length}); it was left untouched.`);
    }
    const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw damaged(file, problems.slice(0, 3).join('; '));
  } catch (error) {
    if (error instanceof HistoryFileError) throw error;
    throw damaged(file, errorMessageOf(error));
  } finally {
    db.close();
    for (const side of sideFiles) rmSync(side, { force: true });
  }
  return performance.now() - startedAt;
}

function damaged(file: string, detail: string): HistoryFileError {
  return new HistoryFileError(file, 'damaged', `The history at ${file} is damaged (${detail}); it was left untouched.`);
}

/**
 * Opens the history read-write after `checkHistoryFile`: private to the user (folder 0700, files 0600,
 * looser ones tightened with a note on stderr), WAL, foreign keys, migrated to this build's schema.
 */
export function openDatabase(file: string, options: { check?: boolean } = {}): Db {
  if (file === ':memory:') return configure(new Database(file), file);
  for (const note of [ensurePrivateDir(dirname(file)), ...['', '-wal', '-shm'].map((suffix) => ensurePrivateFile(`${file}${suffix}`))]) if (note) console.warn(`[hearth] ${note}`);
  if (options.check !== false) checkHistoryFile(file);
  let db: Db;
  try {
    // Created owner-only: SQLite gives the WAL and shared-memory files the database file's mode.
    if (!existsSync(file)) closeSync(openSync(file, 'a', privateFileMode));
    db = new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new HistoryFileError(file, 'unwritable', `Hearth cannot open its history at ${file} for writing: ${errorMessageOf(error)}. Check the folder's permissions, or pick another with --data-dir.`);
  }
  try {
    return configure(db, file);
  } catch (error) {
    db.close();
    if (error instanceof HistoryFileError) throw error;
    throw new HistoryFileError(file, 'unwritable', `Hearth cannot write its history at ${file}: ${errorMessageOf(error)}. Check the folder's permissions and free space, or pick another with --data-dir.`);
  }
}

function configure(db: Db, file: string): Db {
  // Document vectors live in sqlite-vec tables: every connection that writes the history can read and delete them.
  // In the packaged app the extension sits in app.asar.unpacked (electron-builder.ts): SQLite's dlopen cannot read the archive.
  db.loadExtension(sqliteVec.getLoadablePath().replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, file);
  if ((db.pragma('application_id', { simple: true }) as number) !== hearthApplicationId) db.pragma(`application_id = ${hearthApplicationId}`);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations a database lacks, each in its own transaction; `upTo` stops early (for recovery). */
export function migrate(db: Db, file: string, upTo = migrations.length): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new HistoryFileError(file, 'newer', `The history at ${file} is from a newer Hearth (schema ${current}, this build knows ${migrations.length}); it was left untouched.`);
  }
  for (let version = current; version < upTo; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
