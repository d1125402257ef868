import { ApiError, defaultGenerationSettings, type Conversation, type GenerationSettings } from '../api';
import type { Db } from './db';
import { toConversation, type ConversationRow } from './rows';

export const defaultConversationTitle = 'New chat';

export interface ConversationChanges {
  title?: string;
  /** The conversation's model reference (see `Conversation.model`). */
  model?: string | null;
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

/** Conversations. Deleting moves to the trash; `purgeTrash` removes for good. */
export class ConversationStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  list(): Conversation[] {
    const rows = this.db.prepare('SELECT * FROM conversations WHERE deleted_at IS NULL ORDER BY pinned DESC, updated_at DESC, id DESC').all() as ConversationRow[];
    return rows.map(toConversation);
  }

  /** A conversation not in the trash, or NOT_FOUND. */
  get(id: number): Conversation {
    const row = this.db.prepare('SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL').get(id) as ConversationRow | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `Conversation ${id} does not exist.`);
    return toConversation(row);
  }

  create(input: NewConversation = {}): Conversation {
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT INTO conversations (title, model, system_prompt, settings, chat_template, pinned, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        input.title ?? defaultConversationTitle,
        input.model ?? null,
        input.systemPrompt ?? '',
        JSON.stringify({ ...defaultGenerationSettings, ...input.settings }),
        input.chatTemplate ?? null,
        input.pinned ? 1 : 0,
        input.createdAt ?? now,
        input.updatedAt ?? now
      );
    return this.get(Number(result.lastInsertRowid));
  }

  /**
   * Changes what is given, leaving the rest as it is. Not activity: `updatedAt`, which orders the list,
   * stays (a renamed or pinned chat keeps its place among the recent ones; messages move it up).
   */
  update(id: number, changes: ConversationChanges): Conversation {
    const current = this.get(id);
    const next = {
      title: changes.title ?? current.title,
      model: changes.model === undefined ? current.model : changes.model,
      systemPrompt: changes.systemPrompt ?? current.systemPrompt,
      settings: { ...current.settings, ...changes.settings },
      chatTemplate: changes.chatTemplate === undefined ? current.chatTemplate : changes.chatTemplate,
      pinned: changes.pinned ?? current.pinned
    };
    this.db
      .prepare('UPDATE conversations SET title = ?, model = ?, system_prompt = ?, settings = ?, chat_template = ?, pinned = ? WHERE id = ?')
      .run(next.title, next.model, next.systemPrompt, JSON.stringify(next.settings), next.chatTemplate, next.pinned ? 1 : 0, id);
    return this.get(id);
  }

  trash(id: number): void {
    this.get(id);
    this.db.prepare('UPDATE conversations SET deleted_at = ? WHERE id = ?').run(this.now(), id);
  }

  restore(id: number): Conversation {
    const result = this.db.prepare('UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL').run(id);
    if (result.changes === 0) throw new ApiError('NOT_FOUND', `Conversation ${id} is not in the trash.`);
    return this.get(id);
  }

  /** Deletes a conversation for good, with its messages (an import that failed halfway). */
  remove(id: number): void {
    this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
  }

  /** Removes conversations trashed before `olderThan` (ms since epoch), with their messages. */
  purgeTrash(olderThan: number): number {
    return this.db.prepare('DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?').run(olderThan).changes;
  }

  /** Moves the conversation up the list: something happened in it. */
  touch(id: number, at = this.now()): void {
    this.db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(at, id);
  }
}
