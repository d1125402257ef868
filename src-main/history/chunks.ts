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

const vectorTable = 'chunk_vectors';

/**
 * Deletes the vectors of the documents `documentsQuery` selects (one parameter, `argument`). sqlite-vec
 * tables have no foreign keys, so a document's deletion goes through here in the same transaction.
 */
export function deleteVectorsOf(db: Db, documentsQuery: string, argument: unknown): void {
  if (!hasVectorTable(db)) return;
  db.prepare(`DELETE FROM ${vectorTable} WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id IN (${documentsQuery}))`).run(argument);
}

function hasVectorTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(vectorTable) !== undefined;
}

function scopeJson(scope: ChunkScope): string | null {
  return scope === null ? null : JSON.stringify(scope);
}

/**
 * Chunks, their word index (FTS5, BM25) and their vectors (a sqlite-vec `vec0` table of the embedding
 * model's dimension, cosine distance, with each chunk's document as a metadata column so KNN can be
 * limited to some documents). One embedding model's vectors at a time: a new one empties the table and
 * every chunk is embedded again.
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

  /** Replaces a document's chunks (and their vectors) in one transaction; false when the document is gone. */
  replace(documentId: number, chunks: readonly NewChunk[], chunkedWith: string): boolean {
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM documents WHERE id = ?').get(documentId) === undefined) return false;
      deleteVectorsOf(this.db, 'SELECT ?', documentId);
      this.db.prepare('DELETE FROM chunks WHERE document_id = ?').run(documentId);
      const insert = this.db.prepare('INSERT INTO chunks (document_id, position, text, page, heading, tokens) VALUES (?, ?, ?, ?, ?, ?)');
      for (const chunk of chunks) insert.run(documentId, chunk.position, chunk.text, chunk.page, chunk.heading, chunk.tokens);
      this.db.prepare('UPDATE documents SET chunked_with = ? WHERE id = ?').run(chunkedWith, documentId);
      return true;
    })();
  }

  /**
   * Makes the vector table hold `model`'s vectors of `dimension` numbers. When it held another model's (or
   * none), it is made anew and every chunk counts as not embedded.
   */
  useVectorSpace(model: string, dimension: number): void {
    const current = this.db.prepare('SELECT model, dimension FROM vector_space').get() as { model: string; dimension: number } | undefined;
    if (current?.model === model && current.dimension === dimension && hasVectorTable(this.db)) return;
    this.db.transaction(() => {
      this.db.exec(`DROP TABLE IF EXISTS ${vectorTable}`);
      this.db.exec(`CREATE VIRTUAL TABLE ${vectorTable} USING vec0 (chunk_id INTEGER PRIMARY KEY, document_id INTEGER, embedding float[${dimension}] distance_metric=cosine)`);
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
  saveVectors(model: string, vectors: readonly { chunkId: number; documentId: number; vector: Float32Array }[]): void {
    this.db.transaction(() => {
      const insert = this.db.prepare(`INSERT OR REPLACE INTO ${vectorTable} (chunk_id, document_id, embedding) VALUES (?, ?, ?)`);
      const mark = this.db.prepare('UPDATE chunks SET embedded_with = ? WHERE id = ?');
      for (const { chunkId, documentId, vector } of vectors) {
        // A chunk deleted while its vector was computed gets none.
        if (mark.run(model, chunkId).changes === 0) continue;
        insert.run(BigInt(chunkId), BigInt(documentId), vector);
      }
    })();
  }

  /** Chunks by id, in the order asked. */
  byIds(ids: readonly number[]): StoredChunk[] {
    const found = new Map(this.select('WHERE c.id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)).map((chunk) => [chunk.id, chunk]));
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** Best BM25 matches of an FTS5 query (see `keywordQuery`), best first. */
  keywordSearch(query: string, scope: ChunkScope, limit: number): { chunkId: number }[] {
    return this.db
      .prepare(
        `SELECT f.rowid AS chunkId FROM chunks_fts f JOIN chunks c ON c.id = f.rowid
         WHERE chunks_fts MATCH ? AND (? IS NULL OR c.document_id IN (SELECT value FROM json_each(?)))
         ORDER BY bm25(chunks_fts) LIMIT ?`
      )
      .all(query, scopeJson(scope), scopeJson(scope), limit) as { chunkId: number }[];
  }

  /** Nearest chunks to `vector` by cosine similarity (1 − sqlite-vec's cosine distance), at least `minSimilarity`, best first. */
  vectorSearch(vector: Float32Array, scope: ChunkScope, limit: number, minSimilarity: number): { chunkId: number; similarity: number }[] {
    if (!hasVectorTable(this.db) || scope?.length === 0) return [];
    const filter = scope === null ? '' : 'AND document_id IN (SELECT value FROM json_each(?))';
    const rows = this.db
      .prepare(`SELECT chunk_id AS chunkId, distance FROM ${vectorTable} WHERE embedding MATCH ? AND k = ? ${filter} ORDER BY distance`)
      .all(vector, limit, ...(scope === null ? [] : [JSON.stringify(scope)])) as { chunkId: number; distance: number }[];
    return rows.map((row) => ({ chunkId: row.chunkId, similarity: 1 - row.distance })).filter((row) => row.similarity >= minSimilarity);
  }

  private select(where: string, ...parameters: unknown[]): StoredChunk[] {
    return this.db
      .prepare(`SELECT c.id, c.document_id AS documentId, d.name, c.position, c.text, c.page, c.heading, c.tokens FROM chunks c JOIN documents d ON d.id = c.document_id ${where}`)
      .all(...parameters) as StoredChunk[];
  }
}
