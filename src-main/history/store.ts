import {
  ApiError,
  defaultGenerationSettings,
  generationSettingsSchema,
  messageMetricsSchema,
  type Conversation,
  type Message,
  type MessageMetrics,
  type MessageRole,
  type MessageStatus,
  type ReplyFilters,
  type ReplyRecord,
  type GenerationSettings
} from '../api';
import type { z } from 'zod';
import type { Db } from './db';

interface ConversationRow {
  id: number;
  title: string;
  model_path: string | null;
  system_prompt: string;
  settings: string;
  chat_template: string | null;
  pinned: number;
  created_at: number;
  updated_at: number;
  leaf_message_id: number | null;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  error: string | null;
  created_at: number;
  updated_at: number;
  model_file: string | null;
  quantization: string | null;
  chat_template: string | null;
  prompt_tokens: number | null;
  prefill_tokens: number | null;
  output_tokens: number | null;
  ttft_ms: number | null;
  prefill_tps: number | null;
  decode_tps: number | null;
  total_ms: number | null;
  stop_reason: MessageMetrics['stopReason'] | null;
  sampling: string | null;
  threads: number | null;
  details: string | null;
  parent_id: number | null;
}

export const defaultConversationTitle = 'New chat';

function childrenByParent<Row extends { id: number; parent_id: number | null }>(rows: Row[]): Map<number | null, Row[]> {
  const children = new Map<number | null, Row[]>();
  for (const row of rows) {
    const list = children.get(row.parent_id);
    if (list) list.push(row);
    else children.set(row.parent_id, [row]);
  }
  return children;
}

/** Follows the newest child at each step: where the user last was on that branch. */
function latestDescendant(children: Map<number | null, { id: number }[]>, id: number): number {
  let leaf = id;
  for (let next = children.get(leaf); next?.length; next = children.get(leaf)) leaf = next[next.length - 1].id;
  return leaf;
}

/** Stored settings are merged over the defaults, so a row written by an older build still reads whole. */
export function readSettings(json: string): GenerationSettings {
  let stored: unknown = {};
  try {
    stored = JSON.parse(json);
  } catch {
    stored = {};
  }
  const settings: Record<string, unknown> = { ...defaultGenerationSettings };
  if (stored && typeof stored === 'object') {
    // Field by field: one value an older or newer build wrote differently does not reset the rest.
    for (const [key, schema] of Object.entries(generationSettingsSchema.shape)) {
      const parsed = schema.safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success && parsed.data !== undefined) settings[key] = parsed.data;
    }
  }
  return settings as GenerationSettings;
}

/** Figures added after the first schema live in one JSON column; a row from an older build reads with their defaults. */
const detailsSchema = messageMetricsSchema.pick({
  stopSequence: true,
  contextSize: true,
  droppedTurns: true,
  speculation: true,
  beam: true,
  interTokenP50Ms: true,
  interTokenP95Ms: true,
  interTokenHistogram: true,
  gpuLayers: true
});
type MetricsDetails = z.infer<typeof detailsSchema>;

function readDetails(json: string | null): MetricsDetails {
  let stored: unknown = {};
  try {
    stored = JSON.parse(json ?? '{}');
  } catch {
    stored = {};
  }
  const parsed = detailsSchema.safeParse(stored);
  return parsed.success ? parsed.data : detailsSchema.parse({});
}

function detailsOf(metrics: MessageMetrics): MetricsDetails {
  return Object.fromEntries(Object.keys(detailsSchema.shape).map((key) => [key, metrics[key as keyof MetricsDetails]])) as MetricsDetails;
}

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    title: row.title,
    modelPath: row.model_path,
    systemPrompt: row.system_prompt,
    settings: readSettings(row.settings),
    chatTemplate: row.chat_template,
    pinned: row.pinned === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  };
}

function toMessage(row: MessageRow, siblingIds: number[] = [row.id]): Message {
  const metrics: MessageMetrics | null =
    row.model_file === null
      ? null
      : {
          modelFile: row.model_file,
          quantization: row.quantization,
          chatTemplate: row.chat_template ?? '',
          promptTokens: row.prompt_tokens ?? 0,
          prefillTokens: row.prefill_tokens ?? 0,
          outputTokens: row.output_tokens ?? 0,
          ttftMs: row.ttft_ms,
          prefillTokensPerSecond: row.prefill_tps,
          decodeTokensPerSecond: row.decode_tps,
          totalMs: row.total_ms ?? 0,
          stopReason: row.stop_reason ?? 'error',
          settings: readSettings(row.sampling ?? '{}'),
          threads: row.threads ?? 0,
          ...readDetails(row.details)
        };
  return {
    id: row.id,
    conversationId: row.conversation_id,
    role: row.role,
    content: row.content,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    metrics,
    parentId: row.parent_id,
    siblingIds
  };
}

const messageColumns = `m.*, mm.model_file, mm.quantization, mm.chat_template, mm.prompt_tokens, mm.prefill_tokens,
         mm.output_tokens, mm.ttft_ms, mm.prefill_tps, mm.decode_tps, mm.total_ms, mm.stop_reason,
         mm.sampling, mm.threads, mm.details`;
const messageSelect = `SELECT ${messageColumns} FROM messages m LEFT JOIN message_metrics mm ON mm.message_id = m.id`;

export interface ConversationChanges {
  title?: string;
  modelPath?: string | null;
  systemPrompt?: string;
  settings?: Partial<GenerationSettings>;
  chatTemplate?: string | null;
  pinned?: boolean;
}

/** An import keeps the conversation's own timestamps. */
export interface NewConversation extends ConversationChanges {
  createdAt?: number;
  updatedAt?: number;
}

export interface NewMessage {
  role: MessageRole;
  content: string;
  status: MessageStatus;
  error?: string | null;
  createdAt?: number;
  updatedAt?: number;
}

/** Conversations, messages and their metrics. Deleting moves to the trash; `purgeTrash` removes for good. */
export class HistoryStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  listConversations(): Conversation[] {
    const rows = this.db
      .prepare('SELECT * FROM conversations WHERE deleted_at IS NULL ORDER BY pinned DESC, updated_at DESC, id DESC')
      .all() as ConversationRow[];
    return rows.map(toConversation);
  }

  getConversation(id: number): Conversation {
    const row = this.db.prepare('SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL').get(id) as
      | ConversationRow
      | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Conversation ${id} does not exist.`);
    return toConversation(row);
  }

  createConversation(input: NewConversation = {}): Conversation {
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT INTO conversations (title, model_path, system_prompt, settings, chat_template, pinned, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        input.title ?? defaultConversationTitle,
        input.modelPath ?? null,
        input.systemPrompt ?? '',
        JSON.stringify({ ...defaultGenerationSettings, ...input.settings }),
        input.chatTemplate ?? null,
        input.pinned ? 1 : 0,
        input.createdAt ?? now,
        input.updatedAt ?? now
      );
    return this.getConversation(Number(result.lastInsertRowid));
  }

  updateConversation(id: number, changes: ConversationChanges): Conversation {
    const current = this.getConversation(id);
    const next = {
      title: changes.title ?? current.title,
      modelPath: changes.modelPath === undefined ? current.modelPath : changes.modelPath,
      systemPrompt: changes.systemPrompt ?? current.systemPrompt,
      settings: { ...current.settings, ...changes.settings },
      chatTemplate: changes.chatTemplate === undefined ? current.chatTemplate : changes.chatTemplate,
      pinned: changes.pinned ?? current.pinned
    };
    this.db
      .prepare(
        `UPDATE conversations SET title = ?, model_path = ?, system_prompt = ?, settings = ?, chat_template = ?,
         pinned = ?, updated_at = ? WHERE id = ?`
      )
      .run(
        next.title,
        next.modelPath,
        next.systemPrompt,
        JSON.stringify(next.settings),
        next.chatTemplate,
        next.pinned ? 1 : 0,
        this.now(),
        id
      );
    return this.getConversation(id);
  }

  trashConversation(id: number): void {
    this.getConversation(id);
    this.db.prepare('UPDATE conversations SET deleted_at = ? WHERE id = ?').run(this.now(), id);
  }

  restoreConversation(id: number): Conversation {
    const result = this.db.prepare('UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL').run(id);
    if (result.changes === 0) throw new ApiError('NOT_FOUND', `Conversation ${id} is not in the trash.`);
    return this.getConversation(id);
  }

  /** Removes conversations trashed before `olderThan` (ms since epoch), with their messages. */
  purgeTrash(olderThan: number): number {
    return this.db.prepare('DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?').run(olderThan).changes;
  }

  /** The branch on show, first message to last, each with its alternatives. */
  listMessages(conversationId: number): Message[] {
    return this.branchTo(conversationId, this.leafOf(conversationId));
  }

  /** Every message of the conversation, on every branch, oldest first. */
  allMessages(conversationId: number): Message[] {
    const rows = this.db.prepare(`${messageSelect} WHERE m.conversation_id = ? ORDER BY m.id`).all(conversationId) as MessageRow[];
    const children = childrenByParent(rows);
    return rows.map((row) => toMessage(row, children.get(row.parent_id)!.map((sibling) => sibling.id)));
  }

  /** The branch that ends at `leafId`, first message first (empty for null). */
  branchTo(conversationId: number, leafId: number | null): Message[] {
    const byId = new Map(this.allMessages(conversationId).map((message) => [message.id, message]));
    const branch: Message[] = [];
    for (let message = leafId === null ? undefined : byId.get(leafId); message; message = message.parentId === null ? undefined : byId.get(message.parentId)) {
      branch.push(message);
    }
    return branch.reverse();
  }

  /** The last message of the branch on show. */
  shownLeaf(conversationId: number): number | null {
    return this.leafOf(conversationId);
  }

  getMessage(id: number): Message {
    const row = this.db.prepare(`${messageSelect} WHERE m.id = ?`).get(id) as MessageRow | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Message ${id} does not exist.`);
    const siblings = this.db
      .prepare('SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id')
      .pluck()
      .all(row.conversation_id, row.parent_id) as number[];
    return toMessage(row, siblings);
  }

  /** A message of this conversation, or NOT_FOUND: ids from a client are never trusted across conversations. */
  messageIn(conversationId: number, id: number): Message {
    const message = this.getMessage(id);
    if (message.conversationId !== conversationId) throw new ApiError('NOT_FOUND', `Message ${id} is not in conversation ${conversationId}.`);
    return message;
  }

  /**
   * Adds a message after `parentId` (by default the last message on show) and shows its branch.
   * A parent that already has children gets one more: an alternative.
   */
  addMessage(conversationId: number, message: NewMessage, parentId: number | null = this.leafOf(conversationId)): Message {
    const now = this.now();
    const insert = this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO messages (conversation_id, parent_id, role, content, status, error, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          conversationId,
          parentId,
          message.role,
          message.content,
          message.status,
          message.error ?? null,
          message.createdAt ?? now,
          message.updatedAt ?? now
        );
      const id = Number(result.lastInsertRowid);
      this.db.prepare('UPDATE conversations SET leaf_message_id = ?, updated_at = ? WHERE id = ?').run(id, now, conversationId);
      return id;
    });
    return this.getMessage(insert());
  }

  /** Shows the branch through `messageId`, down to its most recent continuation. */
  selectBranch(conversationId: number, messageId: number): Message[] {
    this.messageIn(conversationId, messageId);
    const rows = this.db.prepare('SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as Pick<MessageRow, 'id' | 'parent_id'>[];
    const leaf = latestDescendant(childrenByParent(rows), messageId);
    this.db.prepare('UPDATE conversations SET leaf_message_id = ? WHERE id = ?').run(leaf, conversationId);
    return this.branchTo(conversationId, leaf);
  }

  /** Deletes a message and what follows it; the view moves to a remaining alternative, or to the parent. */
  deleteMessage(conversationId: number, messageId: number): Message[] {
    const message = this.messageIn(conversationId, messageId);
    const remaining = message.siblingIds.filter((id) => id !== messageId);
    const nextView = remaining.length > 0 ? remaining[remaining.length - 1] : message.parentId;
    this.db.transaction(() => {
      // Children go with their parent (ON DELETE CASCADE), and with them their metrics and search rows.
      this.db.prepare('DELETE FROM messages WHERE id = ?').run(messageId);
      this.db.prepare('UPDATE conversations SET leaf_message_id = ?, updated_at = ? WHERE id = ?').run(nextView, this.now(), conversationId);
    })();
    return nextView === null ? [] : this.selectBranch(conversationId, nextView);
  }

  /** The last message of the branch on show (the newest message when none was recorded). */
  private leafOf(conversationId: number): number | null {
    const row = this.db.prepare('SELECT leaf_message_id FROM conversations WHERE id = ?').get(conversationId) as { leaf_message_id: number | null } | undefined;
    if (row?.leaf_message_id != null) return row.leaf_message_id;
    return (this.db.prepare('SELECT MAX(id) FROM messages WHERE conversation_id = ?').pluck().get(conversationId) as number | null) ?? null;
  }

  /** Marks a reply as streaming again, for more text to be appended to it. */
  beginContinuation(id: number): Message {
    this.db.prepare("UPDATE messages SET status = 'streaming', error = NULL, updated_at = ? WHERE id = ?").run(this.now(), id);
    return this.getMessage(id);
  }

  /** Called while a reply streams: one small write, so a crash loses at most the time since the last one. */
  updateMessageContent(id: number, content: string): void {
    this.db.prepare('UPDATE messages SET content = ?, updated_at = ? WHERE id = ?').run(content, this.now(), id);
  }

  finishMessage(id: number, content: string, status: MessageStatus, error: string | null, metrics: MessageMetrics | null): Message {
    const now = this.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE messages SET content = ?, status = ?, error = ?, updated_at = ? WHERE id = ?').run(content, status, error, now, id);
      if (metrics) this.saveMetrics(id, metrics);
      const row = this.db.prepare('SELECT conversation_id FROM messages WHERE id = ?').get(id) as { conversation_id: number };
      this.touch(row.conversation_id, now);
    })();
    return this.getMessage(id);
  }

  saveMetrics(messageId: number, metrics: MessageMetrics): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO message_metrics (message_id, model_file, quantization, chat_template, prompt_tokens,
           prefill_tokens, output_tokens, ttft_ms, prefill_tps, decode_tps, total_ms, stop_reason, sampling, threads, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        messageId,
        metrics.modelFile,
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
        JSON.stringify(detailsOf(metrics))
      );
  }

  /** Measured replies of conversations not in the trash (the newest `limit`), oldest first, for the dashboard. */
  replyRecords(filters: ReplyFilters = {}): ReplyRecord[] {
    const conditions = ['c.deleted_at IS NULL'];
    const values: (string | number)[] = [];
    if (filters.modelFile !== undefined) {
      conditions.push('mm.model_file = ?');
      values.push(filters.modelFile);
    }
    if (filters.since !== undefined) {
      conditions.push('m.created_at >= ?');
      values.push(filters.since);
    }
    if (filters.until !== undefined) {
      conditions.push('m.created_at <= ?');
      values.push(filters.until);
    }
    const rows = this.db
      .prepare(
        `SELECT ${messageColumns}, c.title AS conversation_title
         FROM messages m JOIN message_metrics mm ON mm.message_id = m.id JOIN conversations c ON c.id = m.conversation_id
         WHERE ${conditions.join(' AND ')} ORDER BY m.created_at DESC, m.id DESC LIMIT ?`
      )
      .all(...values, filters.limit ?? 10_000) as (MessageRow & { conversation_title: string })[];
    const replies: ReplyRecord[] = rows.map((row) => ({
      messageId: row.id,
      conversationId: row.conversation_id,
      conversationTitle: row.conversation_title,
      createdAt: row.created_at,
      metrics: toMessage(row).metrics!
    }));
    const apiConditions = conditions.slice(1).map((condition) => condition.replace('mm.model_file', 'model_file').replace('m.created_at', 'created_at'));
    const apiRows = this.db
      .prepare(`SELECT * FROM api_requests ${apiConditions.length ? `WHERE ${apiConditions.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...values, filters.limit ?? 10_000) as { id: number; created_at: number; endpoint: string; metrics: string }[];
    // API requests stored without their text carry negative ids: they have no message to open.
    const requests: ReplyRecord[] = apiRows.flatMap((row) => {
      const metrics = messageMetricsSchema.safeParse(JSON.parse(row.metrics));
      return metrics.success ? [{ messageId: -row.id, conversationId: 0, conversationTitle: `API ${row.endpoint}`, createdAt: row.created_at, metrics: metrics.data }] : [];
    });
    // The newest `limit` of both, returned oldest first as charts draw them.
    return [...replies, ...requests]
      .sort((a, b) => b.createdAt - a.createdAt || b.messageId - a.messageId)
      .slice(0, filters.limit ?? 10_000)
      .reverse();
  }

  /** An OpenAI API request's figures, for the dashboard, when its text is not kept. */
  recordApiRequest(endpoint: string, metrics: MessageMetrics): void {
    this.db.prepare('INSERT INTO api_requests (created_at, endpoint, model_file, metrics) VALUES (?, ?, ?, ?)').run(this.now(), endpoint, metrics.modelFile, JSON.stringify(metrics));
  }

  /** At startup: a reply still marked streaming was cut off by a crash or a kill. */
  markInterruptedReplies(): number {
    return this.db
      .prepare("UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming'")
      .run(this.now()).changes;
  }

  private touch(conversationId: number, now: number): void {
    this.db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(now, conversationId);
  }
}
