import { openDatabase, type Db } from './db';
import { searchMessages } from './search';
import { HistoryStore } from './store';
import { FitMeasurements } from './measurements';
import { Preferences } from './preferences';
import { BenchmarkStore } from './benchmarks';
import { RemoteEngineStore } from './remotes';
import { exportJson, exportMarkdown, exportRepliesCsv, importJson } from './transfer';
import type { ConversationWithMessages, ExportedFile, ReplyFilters, SearchHit } from '../api';

export { openDatabase, schemaVersion, electronSqliteBindingEnv, type Db } from './db';
export { HistoryStore, defaultConversationTitle, readSettings, type NewConversation, type ConversationChanges, type NewMessage } from './store';
export { toFtsQuery, snippetOf } from './search';
export { FitMeasurements, type FitMeasurement } from './measurements';
export { Preferences } from './preferences';
export { BenchmarkStore } from './benchmarks';
export { RemoteEngineStore, type StoredRemoteEngine } from './remotes';

/** The history service: one SQLite file holding every conversation. */
export class History {
  readonly store: HistoryStore;
  readonly measurements: FitMeasurements;
  readonly preferences: Preferences;
  readonly benchmarks: BenchmarkStore;
  readonly remotes: RemoteEngineStore;

  constructor(readonly db: Db, now?: () => number) {
    this.store = new HistoryStore(db, now);
    this.measurements = new FitMeasurements(db, now);
    this.preferences = new Preferences(db);
    this.benchmarks = new BenchmarkStore(db, now);
    this.remotes = new RemoteEngineStore(db, now);
  }

  static open(file: string): History {
    return new History(openDatabase(file));
  }

  conversationWithMessages(id: number): ConversationWithMessages {
    return { conversation: this.store.getConversation(id), messages: this.store.listMessages(id) };
  }

  search(text: string, limit?: number): SearchHit[] {
    return searchMessages(this.db, text, limit);
  }

  export(id: number, format: 'markdown' | 'json'): ExportedFile {
    // JSON keeps every branch (a backup loses nothing); Markdown reads as the conversation on show.
    if (format === 'markdown') return exportMarkdown(this.conversationWithMessages(id));
    return exportJson({ conversation: this.store.getConversation(id), messages: this.store.allMessages(id) }, this.store.shownLeaf(id));
  }

  exportReplies(filters: ReplyFilters): ExportedFile {
    return exportRepliesCsv(this.store.replyRecords(filters));
  }

  import(content: string) {
    return importJson(this.db, this.store, content);
  }

  close(): void {
    this.db.close();
  }
}
