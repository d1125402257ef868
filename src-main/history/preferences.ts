import {
  apiServerSettingsSchema,
  costSettingsSchema,
  defaultApiServerSettings,
  defaultCostSettings,
  defaultDocumentSettings,
  documentSettingsSchema,
  type DocumentSettings,
  defaultGenerationSettings,
  defaultHistorySettings,
  defaultUpdateSettings,
  historySettingsSchema,
  updateSettingsSchema,
  type ApiServerSettings,
  type CostSettings,
  type GenerationSettings,
  type HistorySettings,
  type NetworkSettings,
  type UpdateSettings
} from '../api';
import type { z } from 'zod';
import type { Db } from './db';
import { readSettings } from './rows';

const generationDefaultsKey = 'generationDefaults';
const costKey = 'cost';
const networkKey = 'network';
const apiServerKey = 'apiServer';
const historyKey = 'history';
const updatesKey = 'updates';
const documentsKey = 'documents';

/** The user's app-wide choices, kept in the history database beside what they apply to. */
export class Preferences {
  constructor(private readonly db: Db) {}

  /** What new conversations start with: the built-in defaults until the user saves their own. */
  generationDefaults(): GenerationSettings {
    const stored = this.read(generationDefaultsKey);
    return stored === null ? { ...defaultGenerationSettings } : readSettings(stored);
  }

  setGenerationDefaults(changes: Partial<GenerationSettings>): GenerationSettings {
    return this.update(generationDefaultsKey, this.generationDefaults(), changes);
  }

  /** Power, electricity price and cloud prices for the dashboard's cost comparison. */
  cost(): CostSettings {
    return this.merged(costKey, costSettingsSchema, defaultCostSettings);
  }

  setCost(changes: Partial<CostSettings>): CostSettings {
    return this.update(costKey, this.cost(), changes);
  }

  /** Online unless the user switched offline mode on. */
  network(): NetworkSettings {
    const stored = safeJson(this.read(networkKey) ?? '{}') as Partial<NetworkSettings> | null;
    return { offline: stored?.offline === true };
  }

  setNetwork(settings: NetworkSettings): NetworkSettings {
    this.write(networkKey, settings);
    return this.network();
  }

  apiServer(): ApiServerSettings {
    return this.merged(apiServerKey, apiServerSettingsSchema, defaultApiServerSettings);
  }

  setApiServer(changes: Partial<ApiServerSettings>): ApiServerSettings {
    return this.update(apiServerKey, this.apiServer(), changes);
  }

  /** Whether search covers thoughts too. */
  history(): HistorySettings {
    return this.merged(historyKey, historySettingsSchema, defaultHistorySettings);
  }

  setHistory(changes: Partial<HistorySettings>): HistorySettings {
    return this.update(historyKey, this.history(), changes);
  }

  /** Whether Hearth may check for updates at startup: only when the user said so. */
  updates(): UpdateSettings {
    return this.merged(updatesKey, updateSettingsSchema, defaultUpdateSettings);
  }

  setUpdates(changes: Partial<UpdateSettings>): UpdateSettings {
    return this.update(updatesKey, this.updates(), changes);
  }

  /** Settings → Documents: the embedding model, the limits on files, chunk sizes, what a prompt gets. */
  documents(): DocumentSettings {
    return this.merged(documentsKey, documentSettingsSchema, defaultDocumentSettings);
  }

  setDocuments(changes: Partial<DocumentSettings>): DocumentSettings {
    return this.update(documentsKey, this.documents(), changes);
  }

  /** The stored choices over the defaults; what an older or newer build wrote that does not parse counts as unset. */
  private merged<T extends z.ZodRawShape>(key: string, schema: z.ZodObject<T>, defaults: z.infer<z.ZodObject<T>>): z.infer<z.ZodObject<T>> {
    const parsed = schema.partial().safeParse(safeJson(this.read(key) ?? '{}'));
    return { ...defaults, ...(parsed.success ? parsed.data : {}) };
  }

  /** Stores `changes` over `current` and returns the result. */
  private update<T extends object>(key: string, current: T, changes: Partial<T>): T {
    const next = { ...current, ...changes };
    this.write(key, next);
    return next;
  }

  private read(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM preferences WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  private write(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO preferences (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
