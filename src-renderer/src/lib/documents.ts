import type { IndexingProgress, MessageSource } from '$api/contract';
import { formatEta } from './format';

/**
 * A file's bytes as base64, for `docs.add`'s upload. In slices, because spreading a large file's bytes
 * into one String.fromCharCode call overflows the call stack.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const slice = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += slice) binary += String.fromCharCode(...bytes.subarray(start, start + slice));
  return btoa(binary);
}

/** A dropped file that is a model (imported into the models folder), not a document for the chat. */
export function isModelFile(name: string): boolean {
  return /\.gguf$/i.test(name);
}

/** Where in its file a source is: "page 3", a heading path, or the whole file. */
export function sourcePlace(source: Pick<MessageSource, 'page' | 'heading'>): string {
  const parts = [source.page === null ? '' : `page ${source.page}`, source.heading].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'whole file';
}

/** One line for a source: "[2] report.pdf, page 3". */
export function sourceLabel(source: Pick<MessageSource, 'marker' | 'name' | 'page' | 'heading'>): string {
  return `[${source.marker}] ${source.name}, ${sourcePlace(source)}`;
}

/** Indexing in words: files and chunks done, speed and time left. */
export function describeIndexing(progress: IndexingProgress): string {
  const parts = [`${progress.files.done} of ${progress.files.total} files`, `${progress.chunks.done} of ${progress.chunks.total} chunks`];
  if (progress.chunksPerSecond !== null) parts.push(`${progress.chunksPerSecond.toFixed(1)} chunks/s`);
  if (progress.secondsLeft !== null) parts.push(`${formatEta(progress.secondsLeft)} left`);
  return parts.join(' · ');
}

/** A document's index state: chunks so far, and how many have a vector when an embedding model is set. */
export function indexState(document: { chunks: number; embeddedChunks: number }, embedding: boolean): string {
  if (document.chunks === 0) return 'queued for indexing';
  if (!embedding) return `${document.chunks} chunks, keywords only`;
  return document.embeddedChunks >= document.chunks ? `${document.chunks} chunks, indexed` : `${document.embeddedChunks} of ${document.chunks} chunks embedded`;
}
