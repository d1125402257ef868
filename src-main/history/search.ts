import { snippetMarkEnd, snippetMarkStart, type MessageRole, type SearchHit } from '../api';
import type { Db } from './db';

/**
 * Turns what a person typed into an FTS5 query: each word becomes a quoted prefix term, so
 * punctuation and FTS operators in the input can never make the query fail.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(' ');
}

export function searchMessages(db: Db, text: string, limit = 50): SearchHit[] {
  const query = toFtsQuery(text);
  if (!query) return [];
  const rows = db
    .prepare(
      `SELECT m.id AS messageId, m.conversation_id AS conversationId, m.role AS role, c.title AS conversationTitle,
              snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
       FROM messages_fts
       JOIN messages m ON m.id = messages_fts.rowid
       JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
       WHERE messages_fts MATCH ?
       ORDER BY bm25(messages_fts), m.id DESC
       LIMIT ?`
    )
    .all(snippetMarkStart, snippetMarkEnd, query, limit) as {
    messageId: number;
    conversationId: number;
    role: MessageRole;
    conversationTitle: string;
    snippet: string;
  }[];
  return rows;
}
