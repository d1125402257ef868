import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ApiError, errorMessageOf, type Collection, type DocumentHit, type DocumentRecord, type DocumentSettings, type EventBus } from '../api';
import { documentContext, extractDocument, fuseRankings, keywordWords, kindOfName, tooLarge, type ContextPiece, type DocumentContext } from '../documents';
import type { ChunkScope, History, StoredDocument } from '../history';
import { Embedder, type InferenceEngine } from '../inference';
import { resolveModelFile } from '../models';
import { Indexer } from './indexer';

/** Candidates each retriever hands to fusion: enough that a chunk ranked well by one list is not cut by the other's. */
const candidates = 50;

/** What `add` reads: a file on this machine, or content uploaded in browser mode. */
export type DocumentSource = { path: string } | { upload: { name: string; base64: string } };

/** A rescan's result: the collection, and the files it could not read with why. */
export type RescannedCollection = Collection & Required<Pick<Collection, 'skipped'>>;

/**
 * The user's documents: reading files into the history, the collections, the background indexer, and
 * hybrid search (keyword BM25 and vector KNN, fused). The embedding model is the one Settings → Documents
 * names in the models folder; it is loaded beside the chat's model when indexing or searching needs it.
 */
export class DocumentService {
  readonly indexer: Indexer;
  private embedder: Embedder | null = null;

  constructor(
    private readonly history: History,
    private readonly engine: InferenceEngine,
    private readonly modelsDir: string,
    private readonly events: EventBus
  ) {
    this.indexer = new Indexer({
      history,
      embedder: () => this.currentEmbedder(),
      onProgress: (progress) => events.emit('docs.progress', progress),
      onChanged: () => events.emit('docs.changed', { collectionId: null })
    });
  }

  settings(): DocumentSettings {
    return this.history.preferences.documents();
  }

  /** Saves the settings; a different embedding model re-indexes everything with it, in the background. */
  async setSettings(changes: Partial<DocumentSettings>): Promise<DocumentSettings> {
    if (changes.embeddingModel) await resolveModelFile(this.modelsDir, changes.embeddingModel);
    const before = this.settings();
    const after = this.history.preferences.setDocuments(changes);
    if (after.embeddingModel !== before.embeddingModel || after.chunkTokens !== before.chunkTokens || after.chunkOverlap !== before.chunkOverlap) {
      if (after.chunkTokens !== before.chunkTokens || after.chunkOverlap !== before.chunkOverlap) this.history.chunks.forgetChunking();
      this.indexer.start();
    }
    return after;
  }

  /**
   * Reads a file (or an upload) into the history and starts indexing it. The same file added again to the
   * same place is kept once; a changed one replaces its older copy. `collection` names a collection, made
   * when there is none of that name. Throws what `extractDocument` throws, NOT_FOUND for a missing file.
   */
  async add(source: DocumentSource, collection?: string): Promise<DocumentRecord> {
    const collectionId = collection === undefined ? null : (this.history.documents.collectionNamed(collection) ?? this.history.documents.createCollection(collection, null)).id;
    const record = await this.read(source, collectionId);
    this.indexer.start();
    this.events.emit('docs.changed', { collectionId });
    return record;
  }

  list(collectionId?: number): DocumentRecord[] {
    return this.history.documents.documents(collectionId).map(publicRecord);
  }

  remove(id: number): { id: number } {
    const { collectionId } = this.history.documents.get(id);
    this.history.documents.remove(id);
    this.events.emit('docs.changed', { collectionId });
    return { id };
  }

  /** A new collection; with a folder, its files are read at once (as `rescan` does). */
  async createCollection(name: string, folder?: string): Promise<RescannedCollection> {
    const collection = this.history.documents.createCollection(name, folder === undefined ? null : resolve(folder));
    return folder === undefined ? { ...collection, skipped: [] } : this.rescan(collection.id);
  }

  /**
   * Reads the collection's folder again (its subfolders too): new and changed files of a kind Hearth reads
   * are added, files gone from the folder are removed, unchanged ones are left alone. A file with the
   * modification time and size it had when read counts as unchanged without being read; one whose time or
   * size differs is read and hashed, and kept as it was when its content is the same.
   */
  async rescan(id: number): Promise<RescannedCollection> {
    const collection = this.history.documents.collection(id);
    if (collection.folder === null) throw new ApiError('VALIDATION', `The collection "${collection.name}" has no folder to read again; add files to it instead.`);
    const entries = await readdir(collection.folder, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
      throw new ApiError('NOT_FOUND', `The folder ${collection.folder} cannot be read: ${errorMessageOf(error)}`);
    });
    const files = entries.filter((entry) => entry.isFile() && kindOfName(entry.name) !== null).map((entry) => join(entry.parentPath, entry.name));
    const skipped: { path: string; reason: string }[] = [];
    for (const path of files) {
      await this.read({ path }, id).catch((error: unknown) => skipped.push({ path, reason: errorMessageOf(error) }));
    }
    const present = new Set(files);
    for (const document of this.history.documents.documents(id)) if (document.path !== null && !present.has(document.path)) this.history.documents.remove(document.id);
    this.indexer.start();
    this.events.emit('docs.changed', { collectionId: id });
    return { ...this.history.documents.collection(id), skipped };
  }

  deleteCollection(id: number): { id: number } {
    this.history.documents.deleteCollection(id);
    this.events.emit('docs.changed', { collectionId: id });
    return { id };
  }

  /**
   * The chunks that best answer `query`, best first: BM25 over the word index and, when an embedding model
   * has vectors for the index, the nearest vectors (at least `minSimilarity`), fused by reciprocal rank.
   * `scope` limits it to some documents (null: all).
   */
  async search(query: string, scope: ChunkScope, limit: number): Promise<DocumentHit[]> {
    const embedder = await this.currentEmbedder().catch((error: unknown) => {
      // The embedding model's file is gone (deleted, moved): the words still find the passages.
      console.warn(`[hearth] searching documents by keywords only: ${errorMessageOf(error)}`);
      return null;
    });
    const vector = embedder && this.history.chunks.vectorModel() === embedder.name ? (await embedder.embed([query])).vectors[0] : null;
    return this.rank(query, vector, scope, limit);
  }

  /** `search` once the query's vector is known (null: keyword search only); synchronous, so the benchmark times it alone. */
  rank(query: string, queryVector: Float32Array | null, scope: ChunkScope, limit: number): DocumentHit[] {
    const keyword = this.history.chunks.keywordSearch(keywordWords(query), scope, candidates);
    const vector = queryVector === null ? [] : this.history.chunks.vectorSearch(queryVector, scope, candidates, this.settings().minSimilarity);
    const fused = fuseRankings(keyword, vector, limit);
    const chunks = new Map(this.history.chunks.byIds(fused.map((hit) => hit.chunkId)).map((chunk) => [chunk.id, chunk]));
    return fused.flatMap((hit) => {
      const chunk = chunks.get(hit.chunkId);
      return chunk ? [{ documentId: chunk.documentId, name: chunk.name, page: chunk.page, heading: chunk.heading, text: chunk.text, ...hit }] : [];
    });
  }

  /** The document text a reply to `question` reads in this conversation (see `contextForDocuments`); null when it reads none. */
  async contextFor(conversationId: number, question: string, budgetTokens: number, countTokens: (text: string) => number): Promise<DocumentContext | null> {
    const documentIds = this.history.documents.attachedDocumentIds(conversationId);
    if (documentIds.length === 0 && this.history.documents.attached(conversationId).collectionId === null) return null;
    return this.contextForDocuments(documentIds, question, budgetTokens, countTokens);
  }

  /**
   * The text of these documents a reply to `question` reads, with its sources: the whole documents (one
   * piece per PDF page) when they all fit `budgetTokens` by the chat model's `countTokens`, else the best
   * chunks of a hybrid search that fit.
   */
  async contextForDocuments(documentIds: readonly number[], question: string, budgetTokens: number, countTokens: (text: string) => number): Promise<DocumentContext> {
    const whole: ContextPiece[] = [];
    let wholeTokens = 0;
    for (const id of documentIds) {
      if (wholeTokens > budgetTokens) break;
      const { name } = this.history.documents.get(id);
      // A PDF goes in page by page, so the sources can say which page a fact is on.
      const pages = new Map<number | null, string[]>();
      for (const block of this.history.documents.blocksOf(id)) {
        const texts = pages.get(block.page) ?? [];
        texts.push(block.text);
        pages.set(block.page, texts);
      }
      for (const [page, texts] of pages) {
        const text = texts.join('\n\n');
        const tokens = countTokens(text);
        wholeTokens += tokens;
        whole.push({ documentId: id, name, page, heading: '', chunkId: null, score: null, text, tokens });
      }
    }
    const chunks: ContextPiece[] =
      wholeTokens <= budgetTokens
        ? []
        : (await this.search(question, documentIds, this.settings().topChunks)).map((hit) => ({ ...hit, tokens: countTokens(hit.text) }));
    return documentContext(wholeTokens <= budgetTokens ? whole : [], chunks, budgetTokens);
  }

  /** The documents in `collectionId` and `documentIds` together; null when neither is given (all documents). */
  scope(collectionId?: number, documentIds?: number[]): ChunkScope {
    if (collectionId === undefined && documentIds === undefined) return null;
    const inCollection = collectionId === undefined ? [] : this.history.documents.documents(collectionId).map((document) => document.id);
    return [...new Set([...inCollection, ...(documentIds ?? [])])];
  }

  async close(): Promise<void> {
    this.indexer.cancel();
    await this.indexer.idle();
    await this.embedder?.close();
    this.embedder = null;
  }

  /** The settings' embedding model, loaded on first use; a changed setting closes the old one. */
  private async currentEmbedder(): Promise<Embedder | null> {
    const name = this.settings().embeddingModel;
    if (this.embedder && this.embedder.name === name) return this.embedder;
    await this.embedder?.close();
    this.embedder = null;
    if (name === null) return null;
    this.embedder = new Embedder(() => this.engine.llama(), name, await resolveModelFile(this.modelsDir, name), this.engine.threadsOverride);
    return this.embedder;
  }

  private async read(source: DocumentSource, collectionId: number | null): Promise<DocumentRecord> {
    const { maxFileBytes, maxPages } = this.settings();
    let name: string;
    let path: string | null = null;
    let modifiedMs: number | null = null;
    let earlier: StoredDocument | undefined;
    let bytes: Uint8Array;
    if ('path' in source) {
      path = resolve(source.path);
      name = basename(path);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new ApiError('NOT_FOUND', `There is no file at ${path}.`);
      // Refused before reading: a huge file is never loaded into memory.
      if (info.size > maxFileBytes) throw tooLarge(name, info.size, maxFileBytes);
      modifiedMs = Math.round(info.mtimeMs);
      earlier = this.history.documents.documents(collectionId).find((document) => document.path === path);
      // The same time and size as when it was read: unchanged, so a rescan of a large folder reads and hashes only what changed.
      if (earlier?.modifiedMs === modifiedMs && earlier.sizeBytes === info.size) return publicRecord(earlier);
      bytes = await readFile(path);
    } else {
      name = source.upload.name;
      bytes = Buffer.from(source.upload.base64, 'base64');
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (earlier?.sha256 === sha256) {
      // Touched but not changed: the new time is kept, so the next rescan skips it without hashing.
      if (modifiedMs !== null && modifiedMs !== earlier.modifiedMs) this.history.documents.setModified(earlier.id, modifiedMs);
      return publicRecord(earlier);
    }
    const extracted = await extractDocument(name, bytes, { maxFileBytes, maxPages });
    if (earlier) this.history.documents.remove(earlier.id);
    return publicRecord(this.history.documents.add({ collectionId, name, path, modifiedMs, sha256, sizeBytes: bytes.length, kind: extracted.kind, pages: extracted.pages, blocks: extracted.blocks }));
  }
}

/** The record without what only rescans compare. */
function publicRecord({ sha256: _sha256, modifiedMs: _modifiedMs, ...record }: StoredDocument): DocumentRecord {
  return record;
}
