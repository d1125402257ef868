import { errorMessageOf, type DocumentSettings, type IndexingProgress } from '../api';
import { chunkBlocks, estimateTokens } from '../documents';
import type { History } from '../history';
import type { Embedder } from '../inference';

/** Chunks embedded between two writes (and two looks at the cancel button). */
const batchSize = 16;
/** Progress events at most this often while indexing runs. */
const progressIntervalMs = 500;

export interface IndexerOptions {
  history: History;
  /** The embedding model the settings name, loaded on first use; null: keyword search only. */
  embedder: () => Promise<Embedder | null>;
  onProgress: (progress: IndexingProgress) => void;
  /** A document's chunks or vectors changed. */
  onChanged: () => void;
}

/**
 * Brings the index up to date in the background: documents not yet cut with the current embedding
 * model's tokenizer are (re)chunked, then chunks without its vector are embedded, in batches, each batch
 * written in one transaction. Everything it needs is in the history file, so a restart or a cancel loses
 * at most the batch in flight, and `start` (called at startup, after each add and on a new embedding
 * model) picks up what is left. A new embedding model re-chunks and re-embeds everything.
 */
export class Indexer {
  private progress: IndexingProgress = idle(null);
  private running: Promise<void> | null = null;
  private again = false;
  private controller: AbortController | null = null;

  constructor(private readonly options: IndexerOptions) {}

  status(): IndexingProgress {
    return structuredClone(this.progress);
  }

  /** Starts indexing what is left, or makes the running pass look again when it ends. */
  start(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && this.progress.state !== 'cancelled');
    })().finally(() => (this.running = null));
  }

  /** Resolves when no pass runs (at once when none does). */
  async idle(): Promise<IndexingProgress> {
    while (this.running) await this.running;
    return this.status();
  }

  /** Stops the pass after its batch in flight; what is indexed stays. */
  cancel(): IndexingProgress {
    this.again = false;
    this.controller?.abort();
    return this.status();
  }

  private async pass(): Promise<void> {
    const { history } = this.options;
    const settings = history.preferences.documents();
    if (!this.hasWork(settings.embeddingModel)) {
      this.progress = idle(settings.embeddingModel);
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    try {
      const embedder = await this.options.embedder();
      this.progress = { ...idle(embedder?.name ?? null), state: 'indexing' };
      if (embedder) history.chunks.useVectorSpace(embedder.name, await embedder.dimension());
      await this.chunkAll(settings, embedder, controller.signal);
      if (embedder) await this.embedAll(embedder, controller.signal);
      this.progress = { ...this.progress, state: 'idle', secondsLeft: 0 };
    } catch (error) {
      this.progress = controller.signal.aborted ? { ...this.progress, state: 'cancelled' } : { ...this.progress, state: 'failed', error: errorMessageOf(error) };
    } finally {
      this.controller = null;
      this.options.onProgress(this.status());
      this.options.onChanged();
    }
  }

  /** Whether anything is left to do: a document to cut, or (with an embedding model) a chunk without its vector. */
  private hasWork(model: string | null): boolean {
    const { chunks } = this.options.history;
    if (chunks.unchunked(model ?? '').length > 0) return true;
    if (model === null) return false;
    const counts = chunks.counts(model);
    return counts.chunks > 0 && (chunks.vectorModel() !== model || counts.embedded < counts.chunks);
  }

  /** Cuts every document not yet cut with this tokenizer; the chunk size leaves the embedding context a token of room. */
  private async chunkAll(settings: DocumentSettings, embedder: Embedder | null, signal: AbortSignal): Promise<void> {
    const { history } = this.options;
    const chunkedWith = embedder?.name ?? '';
    const chunkTokens = embedder ? Math.min(settings.chunkTokens, (await embedder.contextTokens()) - 2) : settings.chunkTokens;
    const countTokens = embedder ? (text: string) => embedder.countTokens(text) : estimateTokens;
    const documents = history.chunks.unchunked(chunkedWith);
    this.progress.files.total = documents.length;
    for (const id of documents) {
      signal.throwIfAborted();
      const chunks = chunkBlocks(history.documents.blocksOf(id), { chunkTokens, overlapTokens: Math.min(settings.chunkOverlap, Math.floor(chunkTokens / 2)), countTokens });
      history.chunks.replace(id, chunks, chunkedWith);
      // Chunking a large file takes a while: let other requests in between documents.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!embedder) this.progress.files.done = documents.length;
  }

  private async embedAll(embedder: Embedder, signal: AbortSignal): Promise<void> {
    const { history } = this.options;
    const counts = history.chunks.counts(embedder.name);
    const startedAt = performance.now();
    const documentsLeft = new Set<number>();
    let lastEvent = 0;
    let tokens = 0;
    this.progress.chunks = { done: 0, total: counts.chunks - counts.embedded };
    for (;;) {
      const batch = history.chunks.unembedded(embedder.name, batchSize);
      if (batch.length === 0) break;
      for (const chunk of batch) documentsLeft.add(chunk.documentId);
      this.progress.files.total = Math.max(this.progress.files.total, documentsLeft.size);
      const embedded = await embedder.embed(
        batch.map((chunk) => chunk.text),
        signal
      );
      history.chunks.saveVectors(
        embedder.name,
        batch.map((chunk, index) => ({ chunkId: chunk.id, vector: embedded.vectors[index] }))
      );
      // Batches go in document order: every document before this batch's last one is done.
      const last = batch.at(-1)!.documentId;
      this.progress.files.done = [...documentsLeft].filter((id) => id < last).length;
      const done = (this.progress.chunks.done += batch.length);
      const seconds = (performance.now() - startedAt) / 1000;
      const rate = seconds > 0 ? done / seconds : null;
      tokens += embedded.tokens;
      this.progress.chunksPerSecond = rate;
      this.progress.tokensPerSecond = seconds > 0 ? tokens / seconds : null;
      this.progress.secondsLeft = rate ? Math.max(0, this.progress.chunks.total - done) / rate : null;
      if (performance.now() - lastEvent >= progressIntervalMs) {
        lastEvent = performance.now();
        this.options.onProgress(this.status());
      }
    }
    this.progress.files.done = documentsLeft.size;
  }
}

function idle(embeddingModel: string | null): IndexingProgress {
  return { state: 'idle', embeddingModel, files: { done: 0, total: 0 }, chunks: { done: 0, total: 0 }, chunksPerSecond: null, tokensPerSecond: null, secondsLeft: null, error: null };
}
