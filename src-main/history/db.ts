import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations';

export type Db = Database.Database;

/**
 * better-sqlite3 is a V8-ABI addon: the copy npm built is for Node. Under Electron the launcher
 * builds a second copy for Electron's ABI beside it and names it here (see DESIGN.md, "Native modules").
 */
export const electronSqliteBindingEnv = 'HEARTH_SQLITE_BINDING';

function nativeBinding(): string | undefined {
  return process.versions.electron ? process.env[electronSqliteBindingEnv] || undefined : undefined;
}

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { nativeBinding: nativeBinding() });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(
      `The history database is from a newer Hearth (schema ${current}, this build knows ${migrations.length}); it was left untouched.`
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
