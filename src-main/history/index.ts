import type { Conversation, ConversationWithMessages, ExportedFile, ReplyFilters, SearchHit } from '../api';
import { BenchmarkStore } from './benchmarks';
import { ChunkStore } from './chunks';
import { DocumentStore } from './documents';
import { ConversationStore } from './conversations';
import { ReplyRecords } from './dashboard';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../paths';
import { openDatabase, type Db } from './db';
import { InstanceLock } from './instanceLock';
import { DownloadStore } from './downloads';
import { FitMeasurements } from './measurements';
import { MessageStore } from './messages';
import { Preferences } from './preferences';
import { RemoteEngineStore } from './remotes';
import { recordApiChat, startReply, type ApiChat, type ReplyFacts, type ReplyStart, type StartedReply } from './replies';
import { searchMessages } from './search';
import { exportJson, exportMarkdown, exportRepliesCsv, importJson } from './transfer';

export { HistoryFileError, type HistoryProblem } from './db';
export { HistoryLockedError } from './instanceLock';
export { moveHistoryAside, recoverHistory, type RecoveryReport } from './recovery';
export { readSettings } from './rows';
export type { StoredRemoteEngine } from './remotes';
export type { FitMeasurements } from './measurements';
export type { ReplyStart } from './replies';
export type { ReplyEnd, ReplyText } from './messages';
export type { NewDocument, StoredBlock, StoredDocument } from './documents';
export type { ChunkScope, NewChunk, StoredChunk } from './chunks';

/**
 * The history service: one SQLite file holding every conversation, the download queue and the
 * user's preferences. Other folders get its operations, never its database handle.
 */
export class History {
  readonly conversations: ConversationStore;
  readonly messages: MessageStore;
  readonly replies: ReplyRecords;
  readonly measurements: FitMeasurements;
  readonly preferences: Preferences;
  readonly benchmarks: BenchmarkStore;
  readonly remotes: RemoteEngineStore;
  readonly downloads: DownloadStore;
  readonly documents: DocumentStore;
  readonly chunks: ChunkStore;

  private constructor(
    private readonly db: Db,
    private readonly lock: InstanceLock | null,
    now?: () => number
  ) {
    this.conversations = new ConversationStore(db, now);
    this.messages = new MessageStore(db, now);
    this.replies = new ReplyRecords(db, now);
    this.measurements = new FitMeasurements(db, now);
    this.preferences = new Preferences(db);
    this.benchmarks = new BenchmarkStore(db, now);
    this.remotes = new RemoteEngineStore(db, now);
    this.downloads = new DownloadStore(db, now);
    this.documents = new DocumentStore(db, now);
    this.chunks = new ChunkStore(db);
  }

  /**
   * Opens the history at `file` (`:memory:` for a throwaway one): takes the one-process lock (else
   * HistoryLockedError naming the holder), checks the file (else HistoryFileError, nothing written),
   * then creates or migrates it.
   */
  static open(file: string, now?: () => number): History {
    if (file === ':memory:') return new History(openDatabase(file), null, now);
    ensurePrivateDir(dirname(file));
    const lock = InstanceLock.acquire(file);
    try {
      return new History(openDatabase(file), lock, now);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  conversationWithMessages(id: number): ConversationWithMessages {
    return { conversation: this.conversations.get(id), messages: this.messages.list(id) };
  }

  /** Writes the messages a reply starts with (see `startReply`). */
  startReply(conversationId: number, start: ReplyStart, facts: ReplyFacts): StartedReply {
    return startReply(this.db, this.conversations, this.messages, conversationId, start, facts);
  }

  recordApiChat(chat: ApiChat) {
    return recordApiChat(this.db, this.conversations, this.messages, chat);
  }

  /** Answers (and, when Settings → History says so, thoughts) that match `text`. */
  search(text: string, limit?: number): SearchHit[] {
    return searchMessages(this.db, text, limit, this.preferences.history().searchThoughts);
  }

  export(id: number, format: 'markdown' | 'json'): ExportedFile {
    // JSON keeps every branch (a backup loses nothing); Markdown reads as the conversation on show.
    if (format === 'markdown') return exportMarkdown(this.conversationWithMessages(id));
    return exportJson({ conversation: this.conversations.get(id), messages: this.messages.all(id) }, this.messages.leafOf(id));
  }

  exportReplies(filters: ReplyFilters): ExportedFile {
    return exportRepliesCsv(this.replies.list(filters));
  }

  /** Imports a JSON export as a new conversation (see `importJson`: all or nothing, never blocking). */
  import(content: string): Promise<Conversation> {
    return importJson(this.db, this.conversations, this.messages, content);
  }

  close(): void {
    this.db.close();
    this.lock?.release();
  }
}
