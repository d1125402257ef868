import type { MessageSource } from '../api';

/**
 * Reciprocal rank fusion's constant (Cormack, Clarke and Büttcher, "Reciprocal Rank Fusion outperforms
 * Condorcet and individual Rank Learning Methods", SIGIR 2009): 60, which damps the weight of the very top
 * ranks so that agreement between the two lists counts more than a first place in one.
 */
export const fusionConstant = 60;

/** A chunk found by one retriever, best first in its list. */
export interface RankedChunk {
  chunkId: number;
}

/** A chunk after fusion: its score and where each retriever ranked it (1-based; null: not found by it). */
export interface FusedChunk {
  chunkId: number;
  score: number;
  keywordRank: number | null;
  vectorRank: number | null;
}

/**
 * Fuses the keyword (BM25) and the vector lists by reciprocal rank fusion: each chunk scores the sum of
 * 1 / (60 + rank) over the lists that found it, so one found by both outranks one found by either alone at
 * the same rank. The lists come already cut by their thresholds (vector hits below the least similarity
 * are not in theirs). Best first; ties keep the keyword list's order.
 */
export function fuseRankings(keyword: readonly RankedChunk[], vector: readonly RankedChunk[], limit: number): FusedChunk[] {
  const fused = new Map<number, FusedChunk>();
  const add = (list: readonly RankedChunk[], field: 'keywordRank' | 'vectorRank') => {
    list.forEach(({ chunkId }, index) => {
      const entry = fused.get(chunkId) ?? { chunkId, score: 0, keywordRank: null, vectorRank: null };
      entry.score += 1 / (fusionConstant + index + 1);
      entry[field] = index + 1;
      fused.set(chunkId, entry);
    });
  };
  add(keyword, 'keywordRank');
  add(vector, 'vectorRank');
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

/** A question's distinct words, lower case, for the keyword search (punctuation and FTS5 syntax dropped). */
export function keywordWords(question: string): string[] {
  return [...new Set(question.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])];
}

/** A piece of document text for the prompt: a whole document, or a chunk of one. */
export interface ContextPiece {
  documentId: number;
  name: string;
  page: number | null;
  heading: string;
  chunkId: number | null;
  score: number | null;
  text: string;
  tokens: number;
}

/** The document text a reply reads, with the sources its markers name. */
export interface DocumentContext {
  /** The block the prompt gets before the question; '' when nothing was found. */
  text: string;
  sources: MessageSource[];
  /** Whether whole documents were given (they fit the budget) rather than chunks. */
  whole: boolean;
}

function label(piece: ContextPiece): string {
  return [piece.name, piece.page === null ? null : `page ${piece.page}`, piece.heading || null].filter(Boolean).join(', ');
}

/**
 * The prompt's document block: whole documents when all of them fit `budgetTokens`, else the best chunks
 * (as ranked) while they fit. Each piece gets a marker, [1], [2], …, with its file, page and heading, and
 * the model is asked to cite them; the sources list the same markers.
 */
export function documentContext(whole: ContextPiece[], chunks: ContextPiece[], budgetTokens: number): DocumentContext {
  const fitsWhole = whole.length > 0 && whole.reduce((sum, piece) => sum + piece.tokens, 0) <= budgetTokens;
  const chosen: ContextPiece[] = [];
  if (fitsWhole) chosen.push(...whole);
  else {
    let used = 0;
    for (const piece of chunks) {
      if (used + piece.tokens > budgetTokens) continue;
      chosen.push(piece);
      used += piece.tokens;
    }
  }
  if (chosen.length === 0) return { text: '', sources: [], whole: false };
  const sources = chosen.map((piece, index) => ({ marker: index + 1, documentId: piece.documentId, name: piece.name, page: piece.page, heading: piece.heading, chunkId: piece.chunkId, score: piece.score }));
  const body = chosen.map((piece, index) => `[${index + 1}] ${label(piece)}\n${piece.text}`).join('\n\n');
  const text = `Answer from these documents. Cite them by their numbers, like [1].\n\n${body}`;
  return { text, sources, whole: fitsWhole };
}

/** The user's question with the document block before it; the question alone when there is none. */
export function withDocuments(question: string, context: DocumentContext): string {
  return context.text === '' ? question : `${context.text}\n\nQuestion: ${question}`;
}
