import { snippetMarkEnd, snippetMarkStart, type SearchHit } from '../api';
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

/** How many of the newest matches are ranked for relevance: every match of a rare word, the recent ones of a common word. */
export const rankedCandidates = 200;
const snippetWords = 16;

/** Lower case without accents, as FTS5's unicode61 tokenizer (remove_diacritics 2) compares words. */
function folded(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * About `snippetWords` words around the first match, matched words wrapped in the markers: the same
 * prefix matching as the query, done on the page of hits only.
 */
export function snippetOf(content: string, queryWords: string[]): string {
  const prefixes = queryWords.map(folded);
  const words = [...content.matchAll(/[\p{L}\p{N}_]+/gu)];
  const isMatch = (word: string) => prefixes.some((prefix) => folded(word).startsWith(prefix));
  const first = Math.max(0, words.findIndex((word) => isMatch(word[0])));
  const from = Math.max(0, first - Math.floor(snippetWords / 4));
  const to = Math.min(words.length, from + snippetWords);
  if (words.length === 0) return content.slice(0, 200);
  const startAt = words[from].index!;
  const endAt = to < words.length ? words[to - 1].index! + words[to - 1][0].length : content.length;
  let text = '';
  let cursor = startAt;
  for (const word of words.slice(from, to)) {
    if (!isMatch(word[0])) continue;
    text += content.slice(cursor, word.index) + snippetMarkStart + word[0] + snippetMarkEnd;
    cursor = word.index! + word[0].length;
  }
  text += content.slice(cursor, endAt);
  return `${from > 0 ? '…' : ''}${text.replace(/\s+/g, ' ')}${to < words.length ? '…' : ''}`;
}

export function searchMessages(db: Db, text: string, limit = 50): SearchHit[] {
  const query = toFtsQuery(text);
  if (!query) return [];
  // A common word matches most of the history; ranking every match (let alone FTS5's snippets) would
  // take hundreds of ms. So: the newest matches (FTS5 walks rowids backwards and stops early), ranked
  // among themselves, with snippets made for the page of hits only.
  const rows = db
    .prepare(
      `WITH recent AS (
         SELECT messages_fts.rowid AS id, messages_fts.rank AS rank
         FROM messages_fts
         JOIN messages m ON m.id = messages_fts.rowid
         JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
         WHERE messages_fts MATCH ?
         ORDER BY messages_fts.rowid DESC
         LIMIT ?
       )
       SELECT m.id AS messageId, m.conversation_id AS conversationId, m.role AS role, c.title AS conversationTitle, m.content AS content
       FROM recent
       JOIN messages m ON m.id = recent.id
       JOIN conversations c ON c.id = m.conversation_id
       ORDER BY recent.rank, recent.id DESC
       LIMIT ?`
    )
    .all(query, rankedCandidates, limit) as (Omit<SearchHit, 'snippet'> & { content: string })[];
  const queryWords = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return rows.map(({ content, ...hit }) => ({ ...hit, snippet: snippetOf(content, queryWords) }));
}
