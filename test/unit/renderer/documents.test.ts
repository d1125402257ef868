import { describe, expect, it } from 'vitest';
import { bytesToBase64, describeIndexing, indexState, isModelFile, sourceLabel, sourcePlace } from '../../../src-renderer/src/lib/documents';

describe('the documents helpers', () => {
  it('encodes a file for upload as Node does, also past one slice of bytes and with every byte value', () => {
    const bytes = new Uint8Array(70_000).map((_, index) => (index * 7) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(bytesToBase64(new TextEncoder().encode('Grüße'))).toBe(Buffer.from('Grüße').toString('base64'));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });

  it('tells a model dropped on the window from a document', () => {
    expect(isModelFile('Qwen3-4B.Q4_K_M.GGUF')).toBe(true);
    expect(isModelFile('report.pdf')).toBe(false);
    expect(isModelFile('gguf-notes.md')).toBe(false);
  });

  it('says where a source is: its page, its headings, or the whole file', () => {
    expect(sourcePlace({ page: 3, heading: '' })).toBe('page 3');
    expect(sourcePlace({ page: null, heading: 'Setup › Linux' })).toBe('Setup › Linux');
    expect(sourcePlace({ page: 2, heading: 'Results' })).toBe('page 2, Results');
    expect(sourcePlace({ page: null, heading: '' })).toBe('whole file');
    expect(sourceLabel({ marker: 2, name: 'report.pdf', page: 3, heading: '' })).toBe('[2] report.pdf, page 3');
  });

  it('words indexing and a document’s index state', () => {
    const progress = { state: 'indexing', embeddingModel: 'e.gguf', files: { done: 1, total: 3 }, chunks: { done: 40, total: 120 }, chunksPerSecond: 12.34, tokensPerSecond: 4000, secondsLeft: 75, error: null } as const;
    expect(describeIndexing(progress)).toBe('1 of 3 files · 40 of 120 chunks · 12.3 chunks/s · 1 min left');
    expect(describeIndexing({ ...progress, chunksPerSecond: null, secondsLeft: null })).toBe('1 of 3 files · 40 of 120 chunks');
    expect(indexState({ chunks: 0, embeddedChunks: 0 }, true)).toBe('queued for indexing');
    expect(indexState({ chunks: 5, embeddedChunks: 2 }, true)).toBe('2 of 5 chunks embedded');
    expect(indexState({ chunks: 5, embeddedChunks: 5 }, true)).toBe('5 chunks, indexed');
    expect(indexState({ chunks: 5, embeddedChunks: 0 }, false)).toBe('5 chunks, keywords only');
  });
});
