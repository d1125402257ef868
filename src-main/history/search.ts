import { snippetMarkEnd, snippetMarkStart, type SearchHit } from '../api';
import type { Db } from './db';
import { trigramScripts } from './migrations';

/**
 * Turns what a person typed into an FTS5 query: each word becomes a quoted prefix term, so
 * punctuation and FTS operators in the input can never make the query fail.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(' ');
}

// Built with the v flag: its set operations compile into one character class, where lookaheads per
// character made every snippet a third slower.
const trigramScript = `[${trigramScripts.map(([from, to]) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`).join('')}]`;
/** A letter, digit or mark of the scripts the trigram indexes hold (migration 013): no spaces between words there. */
const trigramChar = `[[\\p{L}\\p{N}\\p{M}]&&${trigramScript}]`;
/** A character of a word in the other scripts. */
const wordChar = `[[\\p{L}\\p{N}_]--${trigramScript}]`;
const hasTrigramChar = new RegExp(trigramChar, 'v');
/** The parts of a query: runs of those scripts, and words of the others (split where the script changes: `GPT`, `4`, `の性能`). */
const queryParts = new RegExp(`${trigramChar}+|${wordChar}+`, 'gv');
/** What a snippet counts: a word, or one character of the scripts without spaces (half a word: their words are about two long). */
const snippetUnits = new RegExp(`${trigramChar}|${wordChar}+`, 'gv');

/** What to look for in the trigram indexes when a query holds CJK or Thai text. */
export interface TrigramQuery {
  /** FTS5 query for a trigram index: each part of three characters or more as a quoted phrase (a substring); null when there is none. */
  match: string | null;
  /** The parts of one or two characters, which no trigram holds: looked for in the text itself. */
  scanned: string[];
}

function partsOf(text: string): string[] {
  return text.normalize('NFC').match(queryParts) ?? [];
}

/**
 * The trigram lookup for text that holds CJK or Thai, or null for text without (the word index, `toFtsQuery`,
 * serves that, unchanged). Every part is a substring that must occur, Latin words of a mixed query too: in
 * `新しいGPUを買った` the word index holds `新しいgpuを買った` as one word, which no prefix of `GPU` finds.
 */
export function toTrigramQuery(text: string): TrigramQuery | null {
  if (!hasTrigramChar.test(text)) return null;
  const parts = partsOf(text);
  // The trigram tokenizer counts code points, as the spread does (𠮷 is one, not two UTF-16 units).
  const long = parts.filter((part) => [...part].length >= 3);
  return { match: long.length > 0 ? long.map((part) => `"${part}"`).join(' ') : null, scanned: parts.filter((part) => [...part].length < 3) };
}

/** How many of the newest matches are ranked for relevance: every match of a rare word, the recent ones of a common word. */
export const rankedCandidates = 200;
const snippetWords = 16;

/** Lower case without accents, as FTS5's unicode61 tokenizer (remove_diacritics 2) compares words. */
function folded(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A character as the trigram tokenizer compares it: CJK and Thai as they are (NFD would strip が's voicing mark, split 서 into jamo), others folded. */
function foldedChar(char: string): string {
  return hasTrigramChar.test(char) ? char : folded(char);
}

type Range = [start: number, end: number];

/** Where the terms occur anywhere, compared folded; ranges are in `content`'s own offsets and never overlap. */
function substringMatches(content: string, terms: string[]): Range[] {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (const { 0: char, index } of content.matchAll(/[\s\S]/gu)) {
    const fold = foldedChar(char);
    text += fold;
    for (let unit = 0; unit < fold.length; unit++) {
      starts.push(index);
      ends.push(index + char.length);
    }
  }
  const found: Range[] = [];
  for (const term of terms.map((part) => [...part].map(foldedChar).join('')).filter((term) => term.length > 0)) {
    for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
      let end = ends[at + term.length - 1];
      // Combining marks folded away stay inside the mark, not after it.
      while (end < content.length && /\p{M}/u.test(content[end])) end++;
      found.push([starts[at], end]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const range of found) {
    const last = merged.at(-1);
    if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

/**
 * About `snippetWords` words around the first match, matched text wrapped in the markers. `prefix`: words
 * starting with a query word, as the word index matches; `substring`: the query's parts anywhere, as the
 * trigram indexes match. Done on the page of hits only.
 */
export function snippetOf(content: string, queryWords: string[], matching: 'prefix' | 'substring' = 'prefix'): string {
  const units = [...content.matchAll(snippetUnits)];
  if (units.length === 0) return content.slice(0, 200);
  const prefixes = queryWords.map(folded);
  const isPrefixed = (unit: RegExpExecArray) => prefixes.some((prefix) => folded(unit[0]).startsWith(prefix));
  // Prefix matches are looked for only up to the first one and inside the snippet: folding every word of a long reply costs.
  const substrings = matching === 'substring' ? substringMatches(content, queryWords) : null;
  const firstAt = substrings ? (substrings[0]?.[0] ?? 0) : (units.find(isPrefixed)?.index ?? 0);
  const weight = (unit: RegExpExecArray) => (hasTrigramChar.test(unit[0]) ? 0.5 : 1);
  let from = Math.max(0, units.findIndex((unit) => unit.index + unit[0].length > firstAt));
  for (let before = 0; from > 0 && before + weight(units[from - 1]) <= snippetWords / 4; from--) before += weight(units[from - 1]);
  let to = from;
  for (let width = 0; to < units.length && width + weight(units[to]) <= snippetWords; to++) width += weight(units[to]);
  const startAt = units[from].index;
  const endAt = to < units.length ? units[to - 1].index + units[to - 1][0].length : content.length;
  const marks: Range[] = substrings ?? units.slice(from, to).filter(isPrefixed).map((unit) => [unit.index, unit.index + unit[0].length]);
  let text = '';
  let cursor = startAt;
  for (const [start, end] of marks) {
    if (end <= startAt || start >= endAt) continue;
    const [markStart, markEnd] = [Math.max(start, startAt), Math.min(end, endAt)];
    text += content.slice(cursor, markStart) + snippetMarkStart + content.slice(markStart, markEnd) + snippetMarkEnd;
    cursor = markEnd;
  }
  text += content.slice(cursor, endAt);
  return `${from > 0 ? '…' : ''}${text.replace(/\s+/g, ' ')}${to < units.length ? '…' : ''}`;
}

type Index = 'messages_fts' | 'thoughts_fts' | 'messages_trigram' | 'thoughts_trigram';
type Match = Omit<SearchHit, 'snippet'> & { text: string; rank: number };

/**
 * The newest matches in answers or thoughts, ranked among themselves: the rows of `index` that `match`
 * finds (every row when null) whose text also holds every `scanned` part. Scanned-only matches rank alike.
 */
function matchesIn(db: Db, inThought: boolean, index: Index, match: string | null, scanned: string[], limit: number): Match[] {
  const text = inThought ? 'thought' : 'content';
  // A common word matches most of the history; ranking every match (let alone FTS5's snippets) would
  // take hundreds of ms. So: the newest matches (FTS5 walks rowids backwards and stops early), ranked
  // among themselves, with snippets made for the page of hits only. CROSS JOIN keeps the index the
  // outer loop: with no MATCH to drive it, the planner would start from the conversations and sort.
  const conditions = [...(match === null ? [] : [`${index} MATCH ?`]), ...scanned.map(() => `m.${text} LIKE ? ESCAPE '\\'`)];
  return db
    .prepare(
      `WITH recent AS (
         SELECT ${index}.rowid AS id, ${match === null ? '0' : `${index}.rank`} AS rank
         FROM ${index}
         CROSS JOIN messages m ON m.id = ${index}.rowid
         CROSS JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
         WHERE ${conditions.join(' AND ')}
         ORDER BY ${index}.rowid DESC
         LIMIT ?
       )
       SELECT m.id AS messageId, m.conversation_id AS conversationId, m.role AS role, c.title AS conversationTitle,
              m.${text} AS text, recent.rank AS rank
       FROM recent
       JOIN messages m ON m.id = recent.id
       JOIN conversations c ON c.id = m.conversation_id
       ORDER BY recent.rank, recent.id DESC
       LIMIT ?`
    )
    .all(...(match === null ? [] : [match]), ...scanned.map((part) => `%${part.replace(/[\\%_]/g, '\\$&')}%`), rankedCandidates, limit)
    .map((row) => ({ ...(row as Omit<Match, 'inThought'>), inThought }));
}

/**
 * What was said that matches `text`, best first; with `thoughts`, reasoning models' thoughts too (a
 * message that matches in both is found by its answer).
 */
export function searchMessages(db: Db, text: string, limit = 50, thoughts = false): SearchHit[] {
  const trigrams = toTrigramQuery(text);
  const words = trigrams ? null : toFtsQuery(text);
  if (!trigrams && !words) return [];
  // Text in CJK or Thai goes to the trigram indexes. Parts too short for a trigram (most Chinese words
  // are two characters) are scanned for in the rows the index gives, or in all of its rows, newest first:
  // a common part stops at the 200th match at once, one found nowhere reads every message in these
  // scripts (measured: about 20 ms for 36,000 of them, against 1 ms for a trigram lookup).
  const lookIn = (inThought: boolean): Match[] =>
    trigrams
      ? matchesIn(db, inThought, inThought ? 'thoughts_trigram' : 'messages_trigram', trigrams.match, trigrams.scanned, limit)
      : matchesIn(db, inThought, inThought ? 'thoughts_fts' : 'messages_fts', words, [], limit);
  let rows = lookIn(false);
  if (thoughts) {
    const answered = new Set(rows.map((row) => row.messageId));
    const inThoughts = lookIn(true).filter((row) => !answered.has(row.messageId));
    // Answers and thoughts are ranked on one scale: bm25 over the same tokenizer, or 0 for every scanned match.
    rows = [...rows, ...inThoughts].sort((a, b) => a.rank - b.rank || b.messageId - a.messageId).slice(0, limit);
  }
  const queryWords = trigrams ? partsOf(text) : (text.match(/[\p{L}\p{N}_]+/gu) ?? []);
  return rows.map(({ text: matched, rank: _rank, ...hit }) => ({ ...hit, snippet: snippetOf(matched, queryWords, trigrams ? 'substring' : 'prefix') }));
}
