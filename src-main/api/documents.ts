/**
 * Chatting with the user's documents: what a document, a collection, a search hit and a reply's source
 * look like, the settings, and the contract's `docs.*` and `collections.*` methods and events. Pure (no
 * Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import { method } from './method';

/** What Hearth reads text from; HTML is read as text only and never rendered. */
export const documentKinds = ['text', 'markdown', 'code', 'html', 'pdf', 'docx'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** Settings → Documents. */
export const documentSettingsSchema = z.strictObject({
  /** A model in the models folder (by its name there) that computes the vectors; null: keyword search only. */
  embeddingModel: z.string().min(1).max(4096).nullable(),
  /** A larger file is refused (TOO_LARGE) before it is read. Bytes. */
  maxFileBytes: z.number().int().min(1024).max(1024 * 1024 * 1024),
  /** A PDF with more pages is refused (TOO_LARGE). */
  maxPages: z.number().int().min(1).max(100_000),
  /** Tokens per chunk (of the embedding model's tokenizer, else about 4 characters each). */
  chunkTokens: z.number().int().min(32).max(8192),
  /** Tokens a chunk repeats from the end of the one before it, so a fact cut at the boundary is whole in one. */
  chunkOverlap: z.number().int().min(0).max(1024),
  /** The most tokens of document text a prompt gets; less when the model's context has less room. */
  contextTokens: z.number().int().min(64).max(1_000_000),
  /** Chunks a reply gets at most (when the whole text does not fit). */
  topChunks: z.number().int().min(1).max(50),
  /** A chunk found only by its vector needs at least this cosine similarity (−1 to 1) to count. */
  minSimilarity: z.number().min(-1).max(1)
});
export type DocumentSettings = z.infer<typeof documentSettingsSchema>;
export const defaultDocumentSettings: DocumentSettings = {
  embeddingModel: null,
  maxFileBytes: 50 * 1024 * 1024,
  maxPages: 2000,
  chunkTokens: 400,
  chunkOverlap: 50,
  contextTokens: 4096,
  topChunks: 6,
  minSimilarity: 0.3
};

/** An added file, as the Documents view lists it. */
export interface DocumentRecord {
  id: number;
  /** The file's name, as markers and sources show it. */
  name: string;
  /** Where it was read from; null for content uploaded in browser mode. */
  path: string | null;
  kind: DocumentKind;
  sizeBytes: number;
  /** A PDF's page count; null for other kinds. */
  pages: number | null;
  collectionId: number | null;
  /** Chunks so far, and how many of them have a vector of the current embedding model. */
  chunks: number;
  embeddedChunks: number;
  /** Milliseconds since the epoch. */
  addedAt: number;
}

/** A named set of documents; with a folder, `collections.rescan` reads it again. */
export interface Collection {
  id: number;
  name: string;
  folder: string | null;
  documents: number;
  chunks: number;
  embeddedChunks: number;
  createdAt: number;
  /** Only from `collections.create` with a folder and `collections.rescan`: the files that could not be read, and why. */
  skipped?: { path: string; reason: string }[];
}

/** One chunk found by `docs.search`, best first. */
export interface DocumentHit {
  documentId: number;
  name: string;
  chunkId: number;
  /** The PDF page (1-based) it is on; null for kinds without pages. */
  page: number | null;
  /** Its headings, outermost first, joined with " › "; '' when it has none. */
  heading: string;
  text: string;
  /** Reciprocal rank fusion of its keyword and vector ranks: higher is better, at most 2/61. */
  score: number;
  /** Its rank (1-based) among the keyword (BM25) hits and among the vector hits; null where it was not found. */
  keywordRank: number | null;
  vectorRank: number | null;
}

/**
 * Where a reply's document text came from: the marker the prompt gave it ([1], [2], …) and what it points
 * at. Kept with the message (and in JSON exports) as it was: a document deleted later still has its name here.
 */
export const messageSourceSchema = z.object({
  marker: z.number().int().min(1),
  documentId: z.number().int(),
  name: z.string(),
  page: z.number().int().nullable(),
  heading: z.string(),
  /** The chunk; null when the whole document was in the prompt. */
  chunkId: z.number().int().nullable(),
  /** The chunk's fused score; null for a whole document. */
  score: z.number().nullable()
});
export type MessageSource = z.infer<typeof messageSourceSchema>;

/** What a conversation's replies read from: chosen documents, a collection, or nothing. */
export interface AttachedDocuments {
  conversationId: number;
  documentIds: number[];
  collectionId: number | null;
}

/** Indexing's state, in `docs.indexing` and as `docs.progress` events (about twice a second while it runs). */
export interface IndexingProgress {
  state: 'idle' | 'indexing' | 'cancelled' | 'failed';
  /** The embedding model it computes vectors with; null: keyword search only. */
  embeddingModel: string | null;
  files: { done: number; total: number };
  chunks: { done: number; total: number };
  chunksPerSecond: number | null;
  /** Tokens the embedding model reads per second (of chunk text); null before there is a speed. */
  tokensPerSecond: number | null;
  /** Seconds left at this speed; null before there is a speed. */
  secondsLeft: number | null;
  error: string | null;
}

const id = z.number().int().positive();
const byId = z.strictObject({ id });
const collectionName = z.string().trim().min(1).max(200);
const scope = {
  collectionId: id.optional(),
  documentIds: z.array(id).max(1000).optional()
};

export const documentMethods = {
  /**
   * Reads a file (a path on this machine, or `upload`ed content in browser mode: its name and base64
   * bytes), keeps its text and queues it for indexing (progress as `docs.progress`). A file that cannot
   * be read is refused with why: IMPORT_INVALID (wrong type, no text layer, encrypted), TOO_LARGE.
   */
  'docs.add': method<DocumentRecord>()(
    z.strictObject({
      path: z.string().min(1).max(4096).optional(),
      upload: z.strictObject({ name: z.string().trim().min(1).max(500), base64: z.string().min(1).max(1_500_000_000) }).optional(),
      collection: collectionName.optional()
    })
  ),
  'docs.list': method<DocumentRecord[]>()(z.strictObject({ collectionId: id.optional() })),
  /** Deletes the document with its chunks, vectors and index entries. */
  'docs.remove': method<{ id: number }>()(byId),
  /** Keyword and vector search fused (see DocumentHit), within a collection or documents when given. */
  'docs.search': method<DocumentHit[]>()(z.strictObject({ query: z.string().trim().min(1).max(2000), limit: z.number().int().min(1).max(100).optional(), ...scope })),
  /** Sets what the conversation's replies read from (empty and null: nothing). */
  'docs.attach': method<AttachedDocuments>()(z.strictObject({ conversationId: id, documentIds: z.array(id).max(1000), collectionId: id.nullable() })),
  'docs.attached': method<AttachedDocuments>()(z.strictObject({ conversationId: id })),
  /**
   * The text a reply's source points at (a MessageSource's documentId, chunkId and page): the chunk, or the
   * page (the whole document when it has none) when chunkId is null. NOT_FOUND once the document is removed
   * or re-chunked.
   */
  'docs.passage': method<{ text: string }>()(z.strictObject({ documentId: id, chunkId: id.nullable(), page: z.number().int().min(1).nullable() })),
  'docs.indexing': method<IndexingProgress>()(z.strictObject({})),
  /** Stops indexing; what is indexed stays, and the rest resumes at the next add, rescan or start. */
  'docs.cancelIndexing': method<IndexingProgress>()(z.strictObject({})),
  'collections.create': method<Collection>()(z.strictObject({ name: collectionName, folder: z.string().min(1).max(4096).optional() })),
  'collections.list': method<Collection[]>()(z.strictObject({})),
  /** Reads the collection's folder again: new and changed files are (re)added, vanished ones removed. */
  'collections.rescan': method<Collection>()(byId),
  'collections.delete': method<{ id: number }>()(byId),
  'settings.documents': method<DocumentSettings>()(z.strictObject({})),
  /** A new embedding model re-indexes every document with it (in the background). */
  'settings.setDocuments': method<DocumentSettings>()(z.strictObject({ settings: documentSettingsSchema.partial() }))
};

/** The events, spread into the contract's list; each payload type is carried as a phantom, as the contract's are. */
export const documentEvents = {
  /** Indexing moved on (about twice a second), finished, was cancelled or failed. */
  'docs.progress': { payload: undefined as unknown as IndexingProgress },
  /** Documents or collections were added, indexed or removed: lists should be read again. */
  'docs.changed': { payload: undefined as unknown as { collectionId: number | null } }
};
