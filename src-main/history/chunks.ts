import type { Db } from './db';

/** A chunk about to be stored (the documents service's Chunk). */
export interface NewChunk {
  position: number;
  text: string;
  page: number | null;
  heading: string;
  tokens: number;
}

/** A stored chunk with its document's name. */
export interface StoredChunk extends NewChunk {
  id: number;
  documentId: number;
  name: string;
}

/** Which documents a search or a count looks at: these (possibly none), or all of them (null). */
export type ChunkScope = readonly number[] | null;

/**
 * Candidates the sign-bit prefilter hands to exact rescoring: 400 of 100,000 chunks scan in ~9 ms and
 * rescore in ~1 ms, and hold the exact top results on the tests' synthetic sets.
 */
export const prefilterCandidates = 400;

/**
 * Words in more chunks than this are left out of keyword searches: their postings cost most of a search's
 * time (~30 ms for a word in nearly all of 100,000 chunks) while BM25 weighs them near zero. Below this many
 * chunks in all, no word is left out.
 */
export const commonWordChunks = 10_000;


/**
 * Chunks, their word index (FTS5, BM25) and their vectors: each as float32 numbers and as sign bits
 * (sqlite-vec's `vec_quantize_binary`), searched by Hamming distance over the bits, then exact cosine over
 * the best candidates' floats (migration 016 says why). One embedding model's vectors at a time: a new one
 * empties both tables and every chunk is embedded again.
 */
export class ChunkStore {
  constructor(private readonly db: Db) {}

  /** Documents not yet cut with `chunkedWith` (the embedding model, or '' for the estimate), oldest first. */
  unchunked(chunkedWith: string): number[] {
    return this.db.prepare('SELECT id FROM documents WHERE chunked_with IS NOT ? ORDER BY id').pluck().all(chunkedWith) as number[];
  }

  /** Every document is cut again at the next indexing (the chunk size or overlap changed). */
  forgetChunking(): void {
    this.db.prepare('UPDATE documents SET chunked_with = NULL').run();
  }

  /** Replaces a document's chunks (and so their vectors) in one transaction; false when the document is gone. */
  replace(documentId: number, chunks: readonly NewChunk[], chunkedWith: string): boolean {
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM documents WHERE id = ?').get(documentId) === undefined) return false;
      this.db.prepare('DELETE FROM chunks WHERE document_id = ?').run(documentId);
      const insert = this.db.prepare('INSERT INTO chunks (document_id, position, text, page, heading, tokens) VALUES (?, ?, ?, ?, ?, ?)');
      for (const chunk of chunks) insert.run(documentId, chunk.position, chunk.text, chunk.page, chunk.heading, chunk.tokens);
      this.db.prepare('UPDATE documents SET chunked_with = ? WHERE id = ?').run(chunkedWith, documentId);
      return true;
    })();
  }

  /**
   * Makes the vector tables hold `model`'s vectors of `dimension` numbers. When they held another model's
   * (or none), they are emptied and every chunk counts as not embedded.
   */
  useVectorSpace(model: string, dimension: number): void {
    const current = this.db.prepare('SELECT model, dimension FROM vector_space').get() as { model: string; dimension: number } | undefined;
    if (current?.model === model && current.dimension === dimension) return;
    this.db.transaction(() => {
      this.db.exec('DELETE FROM chunk_vectors; DELETE FROM chunk_signs');
      this.db.prepare('INSERT INTO vector_space (id, model, dimension) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model, dimension = excluded.dimension').run(model, dimension);
      this.db.prepare("UPDATE chunks SET embedded_with = ''").run();
    })();
  }

  /** The model whose vectors the table holds; null before any. */
  vectorModel(): string | null {
    return (this.db.prepare('SELECT model FROM vector_space').pluck().get() as string | undefined) ?? null;
  }

  /** Up to `limit` chunks without a vector of `model`, in document order. */
  unembedded(model: string, limit: number): StoredChunk[] {
    return this.select('WHERE c.embedded_with <> ? ORDER BY c.document_id, c.position LIMIT ?', model, limit);
  }

  /** Chunks in all, and how many have a vector of `model`. */
  counts(model: string | null): { chunks: number; embedded: number } {
    return this.db.prepare("SELECT count(*) AS chunks, coalesce(sum(embedded_with = ? AND embedded_with <> ''), 0) AS embedded FROM chunks").get(model ?? '') as { chunks: number; embedded: number };
  }

  /** Stores vectors (of the vector space's model) for chunks that still exist; one transaction. */
  saveVectors(model: string, vectors: readonly { chunkId: number; vector: Float32Array }[]): void {
    this.db.transaction(() => {
      const insert = this.db.prepare('INSERT OR REPLACE INTO chunk_vectors (chunk_id, embedding) VALUES (?, ?)');
      const insertSigns = this.db.prepare('INSERT OR REPLACE INTO chunk_signs (chunk_id, bits) VALUES (?, vec_quantize_binary(?))');
      const mark = this.db.prepare('UPDATE chunks SET embedded_with = ? WHERE id = ?');
      for (const { chunkId, vector } of vectors) {
        // A chunk deleted while its vector was computed gets none.
        if (mark.run(model, chunkId).changes === 0) continue;
        insert.run(chunkId, vector);
        insertSigns.run(chunkId, vector);
      }
    })();
  }

  /** Chunks by id, in the order asked. */
  byIds(ids: readonly number[]): StoredChunk[] {
    const found = new Map(this.select('WHERE c.id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)).map((chunk) => [chunk.id, chunk]));
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * Best BM25 matches of any of `words` (lower case, as `keywordWords` gives them), best first. Words in more than
   * `commonWordChunks` chunks are left out; none left, none found.
   */
  keywordSearch(words: readonly string[], scope: ChunkScope, limit: number): { chunkId: number }[] {
    const counts = new Map(
      (this.db.prepare('SELECT term, doc FROM chunks_vocabulary WHERE term IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(words)) as [string, number][])
    );
    const kept = words.filter((word) => (counts.get(word) ?? 0) <= commonWordChunks);
    if (kept.length === 0) return [];
    // Each word quoted, so `AND`, `NEAR` or `*` are words, never syntax; OR, so BM25 ranks by the rarer ones held.
    const query = kept.map((word) => `"${word.replaceAll('"', '""')}"`).join(' OR ');
    // Without a scope, FTS5 alone: joining chunks for every match doubled a search of common words.
    if (scope === null) return this.db.prepare('SELECT rowid AS chunkId FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?').all(query, limit) as { chunkId: number }[];
    return this.db
      .prepare(
        `SELECT f.rowid AS chunkId FROM chunks_fts f JOIN chunks c ON c.id = f.rowid
         WHERE chunks_fts MATCH ? AND c.document_id IN (SELECT value FROM json_each(?)) ORDER BY f.rank LIMIT ?`
      )
      .all(query, JSON.stringify(scope), limit) as { chunkId: number }[];
  }

  /**
   * Nearest chunks to `vector` by cosine similarity, at least `minSimilarity`, best first: the
   * `prefilterCandidates` nearest by sign bits (Hamming distance), rescored by their exact cosine.
   */
  vectorSearch(vector: Float32Array, scope: ChunkScope, limit: number, minSimilarity: number): { chunkId: number; similarity: number }[] {
    if (scope?.length === 0) return [];
    const inScope = scope === null ? '' : 'JOIN chunks c ON c.id = s.chunk_id WHERE c.document_id IN (SELECT value FROM json_each(?))';
    const rows = this.db
      .prepare(
        `WITH candidates AS (SELECT s.chunk_id FROM chunk_signs s ${inScope} ORDER BY vec_distance_hamming(vec_bit(s.bits), vec_quantize_binary(?)) LIMIT ?)
         SELECT v.chunk_id AS chunkId, vec_distance_cosine(v.embedding, ?) AS distance FROM candidates JOIN chunk_vectors v USING (chunk_id) ORDER BY distance LIMIT ?`
      )
      .all(...(scope === null ? [] : [JSON.stringify(scope)]), vector, prefilterCandidates, vector, limit) as { chunkId: number; distance: number }[];
    return rows.map((row) => ({ chunkId: row.chunkId, similarity: 1 - row.distance })).filter((row) => row.similarity >= minSimilarity);
  }

  private select(where: string, ...parameters: unknown[]): StoredChunk[] {
    return this.db
      .prepare(`SELECT c.id, c.document_id AS documentId, d.name, c.position, c.text, c.page, c.heading, c.tokens FROM chunks c JOIN documents d ON d.id = c.document_id ${where}`)
      .all(...parameters) as StoredChunk[];
  }
}
