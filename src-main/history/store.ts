import {
  ApiError,
  defaultSamplingSettings,
  samplingSettingsSchema,
  type Conversation,
  type Message,
  type MessageMetrics,
  type MessageRole,
  type MessageStatus,
  type SamplingSettings
} from '../api';
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
}

export const defaultConversationTitle = 'New chat';

/** Stored settings are merged over the defaults, so a row written by an older build still reads whole. */
export function readSettings(json: string): SamplingSettings {
  let stored: unknown = {};
  try {
    stored = JSON.parse(json);
  } catch {
    stored = {};
  }
  const parsed = samplingSettingsSchema.partial().safeParse(stored);
  return { ...defaultSamplingSettings, ...(parsed.success ? parsed.data : {}) };
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

function toMessage(row: MessageRow): Message {
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
          sampling: readSettings(row.sampling ?? '{}'),
          threads: row.threads ?? 0
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
    metrics
  };
}

const messageSelect = `
  SELECT m.*, mm.model_file, mm.quantization, mm.chat_template, mm.prompt_tokens, mm.prefill_tokens,
         mm.output_tokens, mm.ttft_ms, mm.prefill_tps, mm.decode_tps, mm.total_ms, mm.stop_reason,
         mm.sampling, mm.threads
  FROM messages m LEFT JOIN message_metrics mm ON mm.message_id = m.id`;

export interface ConversationChanges {
  title?: string;
  modelPath?: string | null;
  systemPrompt?: string;
  settings?: Partial<SamplingSettings>;
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
        JSON.stringify({ ...defaultSamplingSettings, ...input.settings }),
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

  listMessages(conversationId: number): Message[] {
    const rows = this.db.prepare(`${messageSelect} WHERE m.conversation_id = ? ORDER BY m.id`).all(conversationId) as MessageRow[];
    return rows.map(toMessage);
  }

  getMessage(id: number): Message {
    const row = this.db.prepare(`${messageSelect} WHERE m.id = ?`).get(id) as MessageRow | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Message ${id} does not exist.`);
    return toMessage(row);
  }

  addMessage(conversationId: number, message: NewMessage): Message {
    const now = this.now();
    const insert = this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO messages (conversation_id, role, content, status, error, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          conversationId,
          message.role,
          message.content,
          message.status,
          message.error ?? null,
          message.createdAt ?? now,
          message.updatedAt ?? now
        );
      this.touch(conversationId, now);
      return Number(result.lastInsertRowid);
    });
    return this.getMessage(insert());
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
           prefill_tokens, output_tokens, ttft_ms, prefill_tps, decode_tps, total_ms, stop_reason, sampling, threads)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
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
        JSON.stringify(metrics.sampling),
        metrics.threads
      );
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
