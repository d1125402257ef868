import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHearth } from '../app';
import { percentile } from '../inference';
import type { HearthPaths } from '../paths';

/** What `benchmarkDocuments` measured. */
export interface DocumentBench {
  /** Indexing a generated document with the embedding model, as the indexer reports it; null without a model. */
  indexing: { embeddingModel: string; chunks: number; chunksPerSecond: number; tokensPerSecond: number; seconds: number } | null;
  /** Hybrid retrieval over synthetic chunks: BM25 + KNN + fusion + reading the hits (the query's embedding excluded). */
  retrieval: { chunks: number; dimension: number; queries: number; p50Ms: number; p95Ms: number; fillSeconds: number };
}

export interface DocumentBenchOptions {
  /** A model in the models folder to index with; null skips the indexing figure. */
  embeddingModel: string | null;
  /** Paragraphs of the generated document to index. */
  paragraphs: number;
  /** Synthetic chunks to search. */
  chunks: number;
  /** Their vectors' length: 384 is bge-small-en v1.5's (768 nomic-embed-text's, 1024 bge-m3's). */
  dimension: number;
  queries: number;
}

/** A small deterministic generator (mulberry32), so every run searches the same synthetic index. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 5,000 made-up words with a Zipf-like use: a few common, most rare, as in real text. */
function wordsFrom(next: () => number): () => string {
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vel', 'no', 'qui', 'dar', 'pe', 'zo'];
  const vocabulary = Array.from({ length: 5000 }, (_, index) => {
    let word = '';
    for (let n = index + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
    return word;
  });
  return () => vocabulary[Math.floor(vocabulary.length * next() ** 3)];
}

function unitVector(next: () => number, dimension: number): Float32Array {
  const vector = Float32Array.from({ length: dimension }, () => next() * 2 - 1);
  const length = Math.hypot(...vector);
  return vector.map((value) => value / length);
}

/**
 * Measures the documents feature on throwaway histories under `paths.dataDir`: indexing speed (a generated
 * document of `paragraphs` paragraphs embedded by the settings' model: chunks/s and embedding tokens/s) and
 * retrieval latency (`queries` searches of three words and a vector over `chunks` synthetic chunks of
 * about 60 words, with random unit vectors of `dimension`, through DocumentService.rank; p50 and p95 in ms).
 */
export async function benchmarkDocuments(paths: HearthPaths, options: DocumentBenchOptions): Promise<DocumentBench> {
  const at = (name: string): HearthPaths => {
    const dataDir = join(paths.dataDir, name);
    mkdirSync(dataDir, { recursive: true });
    return { ...paths, dataDir, databaseFile: join(dataDir, 'history.sqlite') };
  };
  const next = random(20260601);
  const word = wordsFrom(next);
  const sentence = (words: number) => `${Array.from({ length: words }, word).join(' ')}.`;
  let indexing: DocumentBench['indexing'] = null;
  if (options.embeddingModel) {
    const hearth = await createHearth(at('indexing'));
    try {
      await hearth.documents.setSettings({ embeddingModel: options.embeddingModel });
      const text = Array.from({ length: options.paragraphs }, () => `${sentence(12)} ${sentence(12)} ${sentence(12)}`).join('\n\n');
      const startedAt = performance.now();
      await hearth.documents.add({ upload: { name: 'bench.txt', base64: Buffer.from(text).toString('base64') } });
      const done = await hearth.documents.indexer.idle();
      if (done.state !== 'idle') throw new Error(`Indexing ended ${done.state}: ${done.error ?? ''}`);
      indexing = { embeddingModel: options.embeddingModel, chunks: done.chunks.done, chunksPerSecond: done.chunksPerSecond ?? 0, tokensPerSecond: done.tokensPerSecond ?? 0, seconds: (performance.now() - startedAt) / 1000 };
    } finally {
      await hearth.close();
    }
  }
  const hearth = await createHearth(at('retrieval'));
  try {
    const { history } = hearth;
    const fillStarted = performance.now();
    history.chunks.useVectorSpace('synthetic', options.dimension);
    const perDocument = 1000;
    for (let first = 0; first < options.chunks; first += perDocument) {
      const count = Math.min(perDocument, options.chunks - first);
      const document = history.documents.add({ collectionId: null, name: `synthetic-${first / perDocument}.txt`, path: null, kind: 'text', sizeBytes: 0, modifiedMs: null, sha256: '', pages: null, blocks: [] });
      const chunks = Array.from({ length: count }, (_, position) => ({ position, text: `${sentence(20)} ${sentence(20)} ${sentence(20)}`, page: null, heading: '', tokens: 80 }));
      history.chunks.replace(document.id, chunks, '');
      const stored = history.chunks.unembedded('synthetic', count);
      history.chunks.saveVectors('synthetic', stored.map((chunk) => ({ chunkId: chunk.id, vector: unitVector(next, options.dimension) })));
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const times: number[] = [];
    // A few untimed searches first: statements prepared, pages in the cache, as in a running app.
    for (let query = -5; query < options.queries; query++) {
      const text = `${word()} ${word()} ${word()}`;
      const vector = unitVector(next, options.dimension);
      const startedAt = performance.now();
      hearth.documents.rank(text, vector, null, 10);
      if (query >= 0) times.push(performance.now() - startedAt);
    }
    return { indexing, retrieval: { chunks: options.chunks, dimension: options.dimension, queries: options.queries, p50Ms: percentile(times, 50) ?? 0, p95Ms: percentile(times, 95) ?? 0, fillSeconds } };
  } finally {
    await hearth.close();
  }
}
