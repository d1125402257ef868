import { defaultGenerationSettings, type GenerationSettings } from '../api';
import type { Db } from './db';
import { readSettings } from './store';

const generationDefaultsKey = 'generationDefaults';

/** The user's app-wide choices, kept in the history database beside what they apply to. */
export class Preferences {
  constructor(private readonly db: Db) {}

  /** What new conversations start with: the built-in defaults until the user saves their own. */
  generationDefaults(): GenerationSettings {
    const row = this.db.prepare('SELECT value FROM preferences WHERE key = ?').get(generationDefaultsKey) as { value: string } | undefined;
    return row ? readSettings(row.value) : { ...defaultGenerationSettings };
  }

  setGenerationDefaults(changes: Partial<GenerationSettings>): GenerationSettings {
    const next = { ...this.generationDefaults(), ...changes };
    this.db
      .prepare('INSERT INTO preferences (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(generationDefaultsKey, JSON.stringify(next));
    return next;
  }
}
