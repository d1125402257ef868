import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { errorMessageOf } from '../api';
import { migrations } from './migrations';
import { migrate, openDatabase, type Db } from './db';

/** The tables a history holds, parents first, so rows go in in an order their references allow. */
const tables = [
  'conversations', 'messages', 'message_metrics', 'preferences', 'fit_measurements', 'downloads', 'benchmarks', 'remote_engines', 'api_requests',
  'collections', 'documents', 'chunks', 'conversation_documents', 'vector_space', 'chunk_vectors', 'chunk_signs'
];

/** `history.sqlite` → `history.sqlite.damaged-2026-11-30T10-02-03`. */
function asideName(file: string, label: string): string {
  return `${file}.${label}-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

/**
 * Moves the history (and its WAL and shared-memory files) aside, renamed with a timestamp, so a
 * fresh one can start; the old file is kept for the user. Returns where it went.
 */
export function moveHistoryAside(file: string, label = 'aside'): string {
  const target = asideName(file, label);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${target}${suffix}`);
  return target;
}

export interface RecoveryReport {
  /** Where the unusable file was moved. */
  movedTo: string;
  /** Rows copied per table; tables that could not be read at all are 0. */
  rows: Record<string, number>;
  /** Rows or ranges that could not be read. */
  lost: number;
}

/**
 * Copies what can still be read from a damaged history into a new one, row by row (a damaged page loses
 * only the rows on it), moves the damaged file aside, and puts the copy in its place. The new file is
 * migrated to this build's schema; replies whose conversation was lost are dropped, messages whose
 * parent was lost start a branch of their own.
 */
export function recoverHistory(file: string): RecoveryReport {
  const source = new Database(file, { readonly: true, fileMustExist: true });
  const staging = asideName(file, 'recovering');
  const target = new Database(staging);
  const rows: Record<string, number> = {};
  let lost = 0;
  try {
    const version = readVersion(source);
    target.pragma('foreign_keys = OFF');
    migrate(target, staging, version);
    for (const table of tables) {
      const copied = copyTable(source, target, table);
      rows[table] = copied.rows;
      lost += copied.lost;
    }
    target.exec(`DELETE FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations);
      UPDATE messages SET parent_id = NULL WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM messages);
      DELETE FROM message_metrics WHERE message_id NOT IN (SELECT id FROM messages);
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');`);
    // A history from before the documents (schema 14) has none of their tables to tidy.
    if (hasTable(target, 'chunks')) tidyDocuments(target);
  } finally {
    source.close();
    target.close();
  }
  const movedTo = moveHistoryAside(file, 'damaged');
  renameSync(staging, file);
  // Brought to this build's schema and given Hearth's application id, as any history.
  openDatabase(file, { check: false }).close();
  return { movedTo, rows, lost };
}

/**
 * What a lost row leaves behind in the documents' tables goes; a chunk whose vector was lost counts as not
 * embedded, so the indexer embeds it again.
 */
function tidyDocuments(target: Db): void {
  target.exec(`DELETE FROM documents WHERE collection_id IS NOT NULL AND collection_id NOT IN (SELECT id FROM collections);
    DELETE FROM chunks WHERE document_id NOT IN (SELECT id FROM documents);
    DELETE FROM conversation_documents WHERE conversation_id NOT IN (SELECT id FROM conversations)
      OR document_id NOT IN (SELECT id FROM documents) OR collection_id NOT IN (SELECT id FROM collections);
    INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild');`);
  if (!hasTable(target, 'chunk_signs')) return;
  target.exec(`DELETE FROM chunk_vectors WHERE chunk_id NOT IN (SELECT id FROM chunks);
    DELETE FROM chunk_signs WHERE chunk_id NOT IN (SELECT chunk_id FROM chunk_vectors);
    UPDATE chunks SET embedded_with = '' WHERE id NOT IN (SELECT chunk_id FROM chunk_signs);`);
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
}

function readVersion(db: Db): number {
  try {
    return Math.min(db.pragma('user_version', { simple: true }) as number, migrations.length);
  } catch {
    return migrations.length;
  }
}

/** Copies a table row by row in rowid order, stepping over what cannot be read. */
function copyTable(source: Db, target: Db, table: string): { rows: number; lost: number } {
  let columns: string[];
  try {
    columns = (source.prepare(`SELECT * FROM ${table} LIMIT 0`).columns() as { name: string }[]).map((column) => column.name);
  } catch {
    return { rows: 0, lost: 1 };
  }
  // A table of a later schema than the damaged file's: nothing to copy into it yet.
  if (!hasTable(target, table)) return { rows: 0, lost: 0 };
  const targetColumns = new Set((target.prepare(`SELECT * FROM ${table} LIMIT 0`).columns() as { name: string }[]).map((column) => column.name));
  const shared = columns.filter((column) => targetColumns.has(column));
  const insert = target.prepare(`INSERT OR IGNORE INTO ${table} (${shared.join(', ')}) VALUES (${shared.map(() => '?').join(', ')})`);
  const read = source.prepare(`SELECT rowid AS _rowid, ${shared.join(', ')} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1`);
  let rows = 0;
  let lost = 0;
  let after = -Infinity;
  for (let misses = 0; misses < 1000; ) {
    let row: Record<string, unknown> | undefined;
    try {
      row = read.get(after) as Record<string, unknown> | undefined;
    } catch (error) {
      // A damaged page: skip ahead past it and keep going.
      lost++;
      misses++;
      after = Number.isFinite(after) ? after + 1 : 0;
      if (/no such table/i.test(errorMessageOf(error))) break;
      continue;
    }
    if (!row) break;
    after = Number(row._rowid);
    const values = shared.map((column) => row[column]);
    try {
      insert.run(...(values as unknown[]));
      rows++;
    } catch {
      lost++;
    }
  }
  return { rows, lost };
}
