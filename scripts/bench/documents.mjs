/**
 * The documents figures: indexing speed (stories260K embedding a generated 400-paragraph document: chunks/s
 * and embedding tokens/s, as the indexer reports them) and hybrid retrieval latency (BM25 + sqlite-vec KNN
 * + reciprocal rank fusion, p95 of 200 searches over 100,000 synthetic chunks with 384-number vectors, the
 * size of bge-small-en v1.5's; the query's own embedding is excluded, the indexing figure covers it). Both
 * run in `hearth docs bench` on throwaway histories.
 */
import { spawnSync } from 'node:child_process';
import { benchEnv, cli, freshFolders, log, removeFolder } from './lib.mjs';

export const syntheticChunks = 100_000;

export function measureDocuments() {
  const folders = freshFolders('documents');
  try {
    const started = performance.now();
    const run = spawnSync(process.execPath, [cli, 'docs', 'bench', String(syntheticChunks), '--embedding-model', 'stories260K.gguf', '--data-dir', folders.dataDir, '--models-dir', folders.modelsDir], {
      env: benchEnv,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024
    });
    if (run.status !== 0) throw new Error(`hearth docs bench failed (exit ${run.status ?? run.signal}): ${run.stderr}`);
    const result = JSON.parse(run.stdout);
    log(
      `documents: indexed ${result.indexing.chunks} chunks in ${result.indexing.seconds.toFixed(1)} s; ${result.retrieval.chunks} synthetic chunks filled in ${result.retrieval.fillSeconds.toFixed(1)} s, ` +
        `retrieval p50 ${result.retrieval.p50Ms.toFixed(1)} ms (${((performance.now() - started) / 1000).toFixed(0)} s in all)`
    );
    return result;
  } finally {
    removeFolder(folders.root);
  }
}
