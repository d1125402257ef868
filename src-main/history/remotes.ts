import { ApiError } from '../api';
import type { Db } from './db';

export interface StoredRemoteEngine {
  id: number;
  name: string;
  baseUrl: string;
  models: string[];
  error: string | null;
}

interface Row {
  id: number;
  name: string;
  base_url: string;
  models: string;
  error: string | null;
}

function toEngine(row: Row): StoredRemoteEngine {
  let models: string[];
  try {
    models = JSON.parse(row.models) as string[];
  } catch {
    models = [];
  }
  return { id: row.id, name: row.name, baseUrl: row.base_url, models, error: row.error };
}

/** The remote engines the user added, with the models each listed last. */
export class RemoteEngineStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  list(): StoredRemoteEngine[] {
    return (this.db.prepare('SELECT * FROM remote_engines ORDER BY id').all() as Row[]).map(toEngine);
  }

  get(id: number): StoredRemoteEngine {
    const row = this.db.prepare('SELECT * FROM remote_engines WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Remote engine ${id} does not exist.`);
    return toEngine(row);
  }

  add(name: string, baseUrl: string, models: string[]): StoredRemoteEngine {
    const result = this.db.prepare('INSERT INTO remote_engines (name, base_url, models, created_at) VALUES (?, ?, ?, ?)').run(name, baseUrl, JSON.stringify(models), this.now());
    return this.get(Number(result.lastInsertRowid));
  }

  update(id: number, models: string[] | null, error: string | null): StoredRemoteEngine {
    if (models) this.db.prepare('UPDATE remote_engines SET models = ?, error = NULL WHERE id = ?').run(JSON.stringify(models), id);
    else this.db.prepare('UPDATE remote_engines SET error = ? WHERE id = ?').run(error, id);
    return this.get(id);
  }

  remove(id: number): void {
    this.get(id);
    this.db.prepare('DELETE FROM remote_engines WHERE id = ?').run(id);
  }
}
