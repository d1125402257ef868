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

/** The newest matches of one index, ranked among themselves; `text` is the indexed column. */
function matchesIn(db: Db, index: 'messages_fts' | 'thoughts_fts', text: 'content' | 'thought', query: string, limit: number): (Omit<SearchHit, 'snippet'> & { text: string; rank: number })[] {
  // A common word matches most of the history; ranking every match (let alone FTS5's snippets) would
  // take hundreds of ms. So: the newest matches (FTS5 walks rowids backwards and stops early), ranked
  // among themselves, with snippets made for the page of hits only.
  return db
    .prepare(
      `WITH recent AS (
         SELECT ${index}.rowid AS id, ${index}.rank AS rank
         FROM ${index}
         JOIN messages m ON m.id = ${index}.rowid
         JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
         WHERE ${index} MATCH ?
         ORDER BY ${index}.rowid DESC
         LIMIT ?
       )
       SELECT m.id AS messageId, m.conversation_id AS conversationId, m.role AS role, c.title AS conversationTitle,
              m.${text} AS text, recent.rank AS rank, ${index === 'thoughts_fts' ? 1 : 0} AS inThought
       FROM recent
       JOIN messages m ON m.id = recent.id
       JOIN conversations c ON c.id = m.conversation_id
       ORDER BY recent.rank, recent.id DESC
       LIMIT ?`
    )
    .all(query, rankedCandidates, limit)
    .map((row) => ({ ...(row as Omit<SearchHit, 'inThought'> & { text: string; rank: number; inThought: number }), inThought: (row as { inThought: number }).inThought === 1 }));
}

/**
 * What was said that matches `text`, best first; with `thoughts`, reasoning models' thoughts too (a
 * message that matches in both is found by its answer).
 */
export function searchMessages(db: Db, text: string, limit = 50, thoughts = false): SearchHit[] {
  const query = toFtsQuery(text);
  if (!query) return [];
  let rows = matchesIn(db, 'messages_fts', 'content', query, limit);
  if (thoughts) {
    const answered = new Set(rows.map((row) => row.messageId));
    const inThoughts = matchesIn(db, 'thoughts_fts', 'thought', query, limit).filter((row) => !answered.has(row.messageId));
    // bm25 scores of the two indexes are on one scale (both lower-is-better, same tokenizer).
    rows = [...rows, ...inThoughts].sort((a, b) => a.rank - b.rank || b.messageId - a.messageId).slice(0, limit);
  }
  const queryWords = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return rows.map(({ text: matched, rank: _rank, ...hit }) => ({ ...hit, snippet: snippetOf(matched, queryWords) }));
}
