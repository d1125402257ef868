import { ApiError, type Message, type MessageMetrics, type MessageRole, type MessageSource, type MessageStatus } from '../api';
import type { Db } from './db';
import { detailsOf, messageColumns, messageSelect, toMessage, type MessageRow } from './rows';

const insertMessage = 'INSERT INTO messages (conversation_id, parent_id, role, content, thought, status, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

export interface NewMessage {
  role: MessageRole;
  content: string;
  /** A reply's thinking; '' (the default) when it had none. */
  thought?: string;
  status: MessageStatus;
  error?: string | null;
  createdAt?: number;
  updatedAt?: number;
  /** An imported reply's sources. */
  sources?: MessageSource[];
}

/** What a reply has produced so far: its answer and its thought. */
export interface ReplyText {
  content: string;
  thought: string;
}

/** How a reply ended: its text, its state, and its figures when it was measured. */
export interface ReplyEnd extends ReplyText {
  status: MessageStatus;
  error: string | null;
  metrics: MessageMetrics | null;
  /** The documents the reply read; absent for none. */
  sources?: MessageSource[];
}

/**
 * Messages form a tree per conversation (a regenerated reply or an edited message is a sibling), and
 * the conversation remembers the last message of the branch on show. Every read here is linear in
 * what it returns: a question with thousands of alternative replies opens as fast as one with two.
 */
export class MessageStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  /** The branch on show, first message to last, each with its alternatives. */
  list(conversationId: number): Message[] {
    return this.branchTo(conversationId, this.leafOf(conversationId));
  }

  /** Every message of the conversation, on every branch, oldest first (siblings share one id list). */
  all(conversationId: number): Message[] {
    const rows = this.db.prepare(`${messageSelect} WHERE m.conversation_id = ? ORDER BY m.id`).all(conversationId) as MessageRow[];
    const siblings = new Map<number | null, number[]>();
    for (const row of rows) {
      const ids = siblings.get(row.parent_id);
      if (ids) ids.push(row.id);
      else siblings.set(row.parent_id, [row.id]);
    }
    return rows.map((row) => toMessage(row, siblings.get(row.parent_id)));
  }

  /** The branch that ends at `leafId`, first message first (empty for null). */
  branchTo(conversationId: number, leafId: number | null): Message[] {
    if (leafId === null) return [];
    const rows = this.db
      .prepare(
        `WITH RECURSIVE branch (id, parent_id, depth) AS (
           SELECT id, parent_id, 0 FROM messages WHERE id = ? AND conversation_id = ?
           UNION ALL
           SELECT m.id, m.parent_id, branch.depth + 1 FROM messages m JOIN branch ON m.id = branch.parent_id
         )
         SELECT ${messageColumns} FROM branch JOIN messages m ON m.id = branch.id LEFT JOIN message_metrics mm ON mm.message_id = m.id
         ORDER BY branch.depth DESC`
      )
      .all(leafId, conversationId) as MessageRow[];
    const siblings = this.siblingsOf(conversationId, rows.map((row) => row.parent_id));
    return rows.map((row) => toMessage(row, siblings.get(row.parent_id)));
  }

  /** The last message of the branch on show (the newest message when none was recorded). */
  leafOf(conversationId: number): number | null {
    const row = this.db.prepare('SELECT leaf_message_id FROM conversations WHERE id = ?').get(conversationId) as { leaf_message_id: number | null } | undefined;
    if (row?.leaf_message_id != null) return row.leaf_message_id;
    return (this.db.prepare('SELECT MAX(id) FROM messages WHERE conversation_id = ?').pluck().get(conversationId) as number | null) ?? null;
  }

  get(id: number): Message {
    const row = this.db.prepare(`${messageSelect} WHERE m.id = ?`).get(id) as MessageRow | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Message ${id} does not exist.`);
    return toMessage(row, this.siblingsOf(row.conversation_id, [row.parent_id]).get(row.parent_id));
  }

  /** A message of this conversation, or NOT_FOUND: ids from a client are never trusted across conversations. */
  in(conversationId: number, id: number): Message {
    const message = this.get(id);
    if (message.conversationId !== conversationId) throw new ApiError('NOT_FOUND', `Message ${id} is not in conversation ${conversationId}.`);
    return message;
  }

  /**
   * Adds a message after `parentId` (by default the last message on show) and shows its branch.
   * A parent that already has children gets one more: an alternative.
   */
  add(conversationId: number, message: NewMessage, parentId: number | null = this.leafOf(conversationId)): Message {
    const now = this.now();
    const id = this.db.transaction(() => {
      const result = this.db
        .prepare(insertMessage)
        .run(conversationId, parentId, message.role, message.content, message.thought ?? '', message.status, message.error ?? null, message.createdAt ?? now, message.updatedAt ?? now);
      const inserted = Number(result.lastInsertRowid);
      this.db.prepare('UPDATE conversations SET leaf_message_id = ?, updated_at = ? WHERE id = ?').run(inserted, now, conversationId);
      return inserted;
    })();
    return this.get(id);
  }

  /** Inserts a message as an import does: no read-back and no branch change (the import shows its branch at the end). */
  insertImported(conversationId: number, message: NewMessage, parentId: number | null): number {
    const now = this.now();
    const result = this.db
      .prepare(insertMessage)
      .run(conversationId, parentId, message.role, message.content, message.thought ?? '', message.status, message.error ?? null, message.createdAt ?? now, message.updatedAt ?? message.createdAt ?? now);
    const id = Number(result.lastInsertRowid);
    if (message.sources?.length) this.db.prepare('UPDATE messages SET sources = ? WHERE id = ?').run(JSON.stringify(message.sources), id);
    return id;
  }

  /** Shows the branch through `messageId`, down to its most recent continuation. */
  select(conversationId: number, messageId: number): Message[] {
    this.in(conversationId, messageId);
    const newestChild = this.db.prepare('SELECT MAX(id) FROM messages WHERE parent_id = ?').pluck();
    let leaf = messageId;
    for (let child = newestChild.get(leaf) as number | null; child !== null; child = newestChild.get(leaf) as number | null) leaf = child;
    this.db.prepare('UPDATE conversations SET leaf_message_id = ? WHERE id = ?').run(leaf, conversationId);
    return this.branchTo(conversationId, leaf);
  }

  /** Deletes a message and what follows it; the view moves to a remaining alternative, or to the parent. */
  delete(conversationId: number, messageId: number): Message[] {
    const message = this.in(conversationId, messageId);
    const remaining = message.siblingIds.filter((id) => id !== messageId);
    const nextView = remaining.length > 0 ? remaining[remaining.length - 1] : message.parentId;
    this.db.transaction(() => {
      // Children go with their parent (ON DELETE CASCADE), and with them their metrics and search rows.
      this.db.prepare('DELETE FROM messages WHERE id = ?').run(messageId);
      this.db.prepare('UPDATE conversations SET leaf_message_id = ?, updated_at = ? WHERE id = ?').run(nextView, this.now(), conversationId);
    })();
    return nextView === null ? [] : this.select(conversationId, nextView);
  }

  /** Marks a reply as streaming again, for more text to be appended to it. */
  beginContinuation(id: number): Message {
    this.db.prepare("UPDATE messages SET status = 'streaming', error = NULL, updated_at = ? WHERE id = ?").run(this.now(), id);
    return this.get(id);
  }

  /** Called while a reply streams: one small write, so a crash loses at most the time since the last one. */
  updateContent(id: number, text: ReplyText): void {
    this.db.prepare('UPDATE messages SET content = ?, thought = ?, updated_at = ? WHERE id = ?').run(text.content, text.thought, this.now(), id);
  }

  /** Stores a reply's final text, state and figures; null when the message no longer exists. */
  finish(id: number, { content, thought, status, error, metrics, sources }: ReplyEnd): Message | null {
    const now = this.now();
    const stored = this.db.transaction(() => {
      const row = this.db.prepare('SELECT conversation_id FROM messages WHERE id = ?').get(id) as { conversation_id: number } | undefined;
      if (!row) return false;
      this.db.prepare('UPDATE messages SET content = ?, thought = ?, status = ?, error = ?, updated_at = ? WHERE id = ?').run(content, thought, status, error, now, id);
      if (metrics) this.saveMetrics(id, metrics);
      if (sources?.length) this.db.prepare('UPDATE messages SET sources = ? WHERE id = ?').run(JSON.stringify(sources), id);
      this.db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(now, row.conversation_id);
      return true;
    })();
    return stored ? this.get(id) : null;
  }

  /** `imported`: the figures came in an imported file, so the dashboard does not count them as this machine's. */
  saveMetrics(messageId: number, metrics: MessageMetrics, imported = false): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO message_metrics (message_id, model, quantization, chat_template, prompt_tokens,
           prefill_tokens, output_tokens, ttft_ms, prefill_tps, decode_tps, total_ms, stop_reason, sampling, threads, details, imported)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        messageId,
        metrics.model,
        metrics.quantization,
        metrics.chatTemplate,
        metrics.promptTokens,
        metrics.prefillTokens,
        metrics.outputTokens,
        metrics.ttftMs,
        metrics.prefillTokensPerSecond,
        metrics.decodeTokensPerSecond,
        metrics.totalMs,
        metrics.stopReason,
        JSON.stringify(metrics.settings),
        metrics.threads,
        JSON.stringify(detailsOf(metrics)),
        imported ? 1 : 0
      );
  }

  /** At startup: a reply still marked streaming was cut off by a crash or a kill. */
  markInterrupted(): number {
    return this.db.prepare("UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming'").run(this.now()).changes;
  }

  /** Each parent's children (the root's: the conversation's first messages), oldest first. */
  private siblingsOf(conversationId: number, parents: (number | null)[]): Map<number | null, number[]> {
    const siblings = new Map<number | null, number[]>();
    const ids = [...new Set(parents.filter((parent): parent is number => parent !== null))];
    const rows = this.db
      .prepare(
        `SELECT id, parent_id FROM messages WHERE parent_id IN (SELECT value FROM json_each(?))
         UNION ALL SELECT id, parent_id FROM messages WHERE ? AND conversation_id = ? AND parent_id IS NULL
         ORDER BY id`
      )
      .all(JSON.stringify(ids), parents.includes(null) ? 1 : 0, conversationId) as { id: number; parent_id: number | null }[];
    for (const row of rows) {
      const list = siblings.get(row.parent_id);
      if (list) list.push(row.id);
      else siblings.set(row.parent_id, [row.id]);
    }
    return siblings;
  }
}
