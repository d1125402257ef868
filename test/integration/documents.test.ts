import Database from 'better-sqlite3';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src-main/api';
import { History } from '../../src-main/history';
import { textPdf } from '../fixtures/documents';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { temporaryDir } from '../helpers/paths';

const embeddingModel = 'stories260K.gguf';
/** Plain sentences from a children's story vocabulary, so stories260K's tokenizer reads them as words. */
const filler = (seed: number) => `Tom and Lily went to the park on day ${seed}. They played with a red ball and a big dog. Then they went home and ate some cake.`;

describe('documents on a real Hearth (SQLite with sqlite-vec, stories260K computing the embeddings)', () => {
  const opened: TestHearth[] = [];
  const files = temporaryDir('hearth-docs-');
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close().catch(() => undefined);
  });
  const start = async (dataDir?: string) => {
    const t = await startTestHearth(dataDir);
    opened.push(t);
    return t;
  };
  const write = (name: string, content: string | Uint8Array) => {
    const path = join(files.path, name);
    writeFileSync(path, content);
    return path;
  };

  it('ranks a unique keyword first by BM25, an exact chunk first by vector similarity, and fusion keeps both', async () => {
    const t = await start();
    await t.call('settings.setDocuments', { settings: { embeddingModel, chunkTokens: 64, chunkOverlap: 0 } });
    const paragraphs = Array.from({ length: 12 }, (_, index) => filler(index));
    paragraphs[7] = 'The zorblax lives under the old bridge and eats blue stones.';
    await t.call('docs.add', { path: write('story.md', `# Story\n\n${paragraphs.join('\n\n')}`), collection: 'Tales' });
    const indexed = await t.hearth.documents.indexer.idle();
    expect(indexed).toMatchObject({ state: 'idle', embeddingModel });
    const [listed] = await t.call('docs.list', {});
    expect(listed.chunks).toBeGreaterThan(5);
    expect(listed.embeddedChunks).toBe(listed.chunks);

    const byKeyword = await t.call('docs.search', { query: 'zorblax' });
    expect(byKeyword[0]).toMatchObject({ name: 'story.md', heading: 'Story', keywordRank: 1, text: expect.stringContaining('zorblax') });

    const target = paragraphs[3];
    const byVector = await t.call('docs.search', { query: target, limit: 50 });
    expect(byVector.find((hit) => hit.text === target)!.vectorRank).toBe(1);
    // With a similarity only (near) copies of the text reach, fusion puts the chunk both lists found first
    // and keeps those only the keyword list found (the zorblax's shares "the" and "and" with it).
    await t.call('settings.setDocuments', { settings: { minSimilarity: 0.999 } });
    const fused = await t.call('docs.search', { query: target, limit: 50 });
    expect(fused[0]).toMatchObject({ text: target, vectorRank: 1, keywordRank: expect.any(Number) });
    expect(fused.length).toBeGreaterThan(1);
    expect(fused.find((hit) => hit.text.includes('zorblax'))).toMatchObject({ vectorRank: null, keywordRank: expect.any(Number) });
    expect(await t.call('docs.search', { query: 'zorblax', collectionId: (await t.call('collections.list', {}))[0].id })).toHaveLength(1);
    expect(await t.call('docs.search', { query: 'zorblax', documentIds: [] })).toEqual([]);

    // After a restart without the embedding model's file, the words still find the passage instead of the search failing.
    await t.hearth.close();
    const again = await start(t.dataDir);
    rmSync(join(again.modelsDir, embeddingModel));
    await again.call('settings.setDocuments', { settings: { minSimilarity: 0.5 } });
    expect((await again.call('docs.search', { query: 'zorblax' }))[0]).toMatchObject({ keywordRank: 1, vectorRank: null, text: expect.stringContaining('zorblax') });
  });

  it('reports progress, resumes after a restart mid-index without cutting again, and deletes a collection to the last row', async () => {
    const first = await start();
    await first.call('settings.setDocuments', { settings: { embeddingModel, chunkTokens: 32, chunkOverlap: 0 } });
    const folder = join(files.path, 'library');
    mkdirSync(folder, { recursive: true });
    for (let file = 0; file < 3; file++) writeFileSync(join(folder, `book${file}.txt`), Array.from({ length: 250 }, (_, index) => filler(file * 1000 + index)).join('\n\n'));
    writeFileSync(join(folder, 'cover.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
    const progressed = first.nextEvent('docs.progress', (progress) => progress.state === 'indexing' && progress.chunks.done > 0);
    const collection = await first.call('collections.create', { name: 'Library', folder });
    expect(collection).toMatchObject({ name: 'Library', documents: 3, skipped: [] });
    const progress = await progressed;
    expect(progress).toMatchObject({ embeddingModel, files: { total: 3 } });
    expect(progress.chunks.total).toBeGreaterThan(progress.chunks.done);
    expect(progress.chunksPerSecond).toBeGreaterThan(0);
    expect(progress.secondsLeft).toBeGreaterThanOrEqual(0);
    const chunkIds = () => first.hearth.history.chunks.byIds(Array.from({ length: 2000 }, (_, index) => index + 1)).map((chunk) => chunk.id);
    const idsBefore = chunkIds();
    await first.hearth.close();
    opened.splice(opened.indexOf(first), 1);

    const file = join(first.dataDir, 'history.sqlite');
    const counts = () => {
      const db = new Database(file, { readonly: true });
      sqliteVec.load(db);
      try {
        return {
          chunks: db.prepare('SELECT count(*) FROM chunks').pluck().get() as number,
          embedded: db.prepare("SELECT count(*) FROM chunks WHERE embedded_with <> ''").pluck().get() as number,
          vectors: db.prepare('SELECT count(*) FROM chunk_vectors').pluck().get() as number,
          fts: db.prepare('SELECT count(*) FROM chunks_fts_docsize').pluck().get() as number,
          documents: db.prepare('SELECT count(*) FROM documents').pluck().get() as number
        };
      } finally {
        db.close();
      }
    };
    const stopped = counts();
    expect(stopped.embedded).toBeGreaterThan(0);
    expect(stopped.embedded).toBeLessThan(stopped.chunks);
    expect(stopped.vectors).toBe(stopped.embedded);

    const second = await start(first.dataDir);
    const resumed = await second.hearth.documents.indexer.idle();
    expect(resumed.state).toBe('idle');
    expect(resumed.chunks.total).toBe(stopped.chunks - stopped.embedded);
    const [again] = await second.call('collections.list', {});
    expect(again.embeddedChunks).toBe(again.chunks);
    expect(second.hearth.history.chunks.byIds(idsBefore).map((chunk) => chunk.id)).toEqual(idsBefore);

    await second.call('collections.delete', { id: again.id });
    await second.hearth.close();
    opened.splice(opened.indexOf(second), 1);
    expect(counts()).toEqual({ chunks: 0, embedded: 0, vectors: 0, fts: 0, documents: 0 });
  });

  it("puts the PDF page holding a fact into the prompt of a conversation that reads it, and the reply's sources list that page", async () => {
    const t = await start();
    // Room for one chunk of a page, not for the whole document: the search must find the page.
    await t.call('settings.setDocuments', { settings: { embeddingModel, chunkTokens: 40, contextTokens: 64, topChunks: 1 } });
    const fact = 'The vault code of the zorblax is 4471.';
    const pdf = await textPdf([[filler(1), filler(2), filler(3)], [filler(4), fact, filler(5)], [filler(6), filler(7), filler(8)]]);
    const document = await t.call('docs.add', { upload: { name: 'vault.pdf', base64: Buffer.from(pdf).toString('base64') } });
    expect(document).toMatchObject({ name: 'vault.pdf', kind: 'pdf', pages: 3, path: null });
    await t.hearth.documents.indexer.idle();
    await t.call('engine.load', { model: 'stories260K.gguf' });
    const conversation = await t.call('conversations.create', { model: 'stories260K.gguf', settings: { maxTokens: 8, temperature: 0 } });
    expect(await t.call('docs.attach', { conversationId: conversation.id, documentIds: [document.id], collectionId: null })).toEqual({ conversationId: conversation.id, documentIds: [document.id], collectionId: null });

    // Its words are in no other chunk, so the keyword list holds the fact's chunk alone and ranks it first.
    const question = 'zorblax vault code?';
    const context = await t.call('chat.context', { conversationId: conversation.id, draft: question });
    expect(context.promptText).toContain(fact);
    expect(context.promptText).toContain('[1] vault.pdf, page 2');
    expect(context.sources).toEqual([expect.objectContaining({ marker: 1, name: 'vault.pdf', page: 2, documentId: document.id })]);
    const without = await t.call('chat.context', { conversationId: (await t.call('conversations.create', { model: 'stories260K.gguf' })).id, draft: question });
    expect(context.promptTokens).toBeGreaterThan(without.promptTokens);

    const ended = t.nextEvent('chat.end', (end) => end.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: question });
    const reply: Message = (await ended).message;
    expect(reply.sources).toEqual([expect.objectContaining({ marker: 1, name: 'vault.pdf', page: 2 })]);
    // How long finding the passages took is one of the reply's figures, kept with it (its Timeline shows it).
    expect(reply.metrics?.retrievalMs).toBeGreaterThanOrEqual(0);
    const stored = await t.call('conversations.get', { id: conversation.id });
    expect(stored.messages.at(-1)!.sources).toEqual(reply.sources);
    expect(stored.messages.at(-1)!.metrics?.retrievalMs).toBe(reply.metrics?.retrievalMs);
    // The user's message stays as they wrote it; the document text was only in the prompt.
    expect(stored.messages.at(-2)!.content).toBe(question);
    const exported = JSON.parse((await t.call('conversations.export', { id: conversation.id, format: 'json' })).content) as { messages: { sources?: unknown }[] };
    expect(exported.messages.at(-1)!.sources).toEqual(reply.sources);
  });

  it('finds by sign-bit prefilter and exact rescoring the same nearest chunk as an exact search, in and out of a scope', () => {
    const history = History.open(join(files.path, 'prefilter.sqlite'));
    try {
      let state = 7;
      const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      const normalized = (vector: Float32Array) => {
        const length = Math.hypot(...vector);
        return vector.map((value) => value / length);
      };
      const dimension = 384;
      history.chunks.useVectorSpace('synthetic', dimension);
      const vectors = new Map<number, Float32Array>();
      for (const name of ['a.txt', 'b.txt']) {
        const document = history.documents.add({ collectionId: null, name, path: null, kind: 'text', sizeBytes: 0, modifiedMs: null, sha256: '', pages: null, blocks: [] });
        history.chunks.replace(document.id, Array.from({ length: 2500 }, (_, position) => ({ position, text: `chunk ${position}`, page: null, heading: '', tokens: 2 })), '');
        const stored = history.chunks.unembedded('synthetic', 2500);
        for (const chunk of stored) vectors.set(chunk.id, normalized(Float32Array.from({ length: dimension }, () => next() * 2 - 1)));
        history.chunks.saveVectors('synthetic', stored.map((chunk) => ({ chunkId: chunk.id, vector: vectors.get(chunk.id)! })));
      }
      const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index], 0);
      const secondDocument = history.documents.documents().find((document) => document.name === 'b.txt')!.id;
      const inSecond = new Set(history.chunks.unembedded('none', 10_000).filter((chunk) => chunk.documentId === secondDocument).map((chunk) => chunk.id));
      for (let query = 0; query < 20; query++) {
        // A question near one passage, as a real one is: a stored vector with as much noise again.
        const near = [...vectors.values()][Math.floor(next() * vectors.size)];
        const vector = normalized(near.map((value) => value + (next() * 2 - 1) / Math.sqrt(dimension / 3)));
        for (const scope of [null, [secondDocument]]) {
          const candidates = [...vectors].filter(([id]) => scope === null || inSecond.has(id));
          const exact = candidates.reduce((best, entry) => (cosine(entry[1], vector) > cosine(best[1], vector) ? entry : best));
          const [found] = history.chunks.vectorSearch(vector, scope, 10, 0);
          expect(found.chunkId).toBe(exact[0]);
          expect(found.similarity).toBeCloseTo(cosine(exact[1], vector), 5);
        }
      }
    } finally {
      history.close();
    }
  });

  it('rescans by modification time and size: an untouched file is not read again, a touched one is hashed and kept when its content is the same', async () => {
    const t = await start();
    const folder = join(files.path, 'rescan');
    mkdirSync(folder);
    const notes = join(folder, 'notes.txt');
    writeFileSync(notes, 'The zorblax sleeps.');
    writeFileSync(join(folder, 'other.md'), '# Other\n\nTom and Lily.');
    const collection = await t.call('collections.create', { name: 'Rescanned', folder });
    const idOf = async (name: string) => (await t.call('docs.list', { collectionId: collection.id })).find((document) => document.name === name)!.id;
    const first = await idOf('notes.txt');
    const { mtime } = statSync(notes);
    // Other bytes of the same length with the old time: a rescan that hashed it would see a change.
    writeFileSync(notes, 'The zorblax snores.');
    utimesSync(notes, mtime, mtime);
    await t.call('collections.rescan', { id: collection.id });
    expect(await idOf('notes.txt')).toBe(first);
    expect(await t.call('docs.search', { query: 'snores' })).toEqual([]);

    const later = new Date(mtime.getTime() + 60_000);
    utimesSync(notes, later, later);
    await t.call('collections.rescan', { id: collection.id });
    const changed = await idOf('notes.txt');
    expect(changed).not.toBe(first);
    expect((await t.call('docs.search', { query: 'snores' }))[0]).toMatchObject({ documentId: changed });

    // Touched, content unchanged: hashed, kept, and its new time remembered.
    const touched = new Date(mtime.getTime() + 120_000);
    utimesSync(notes, touched, touched);
    await t.call('collections.rescan', { id: collection.id });
    expect(await idOf('notes.txt')).toBe(changed);
    expect(t.hearth.history.documents.get(changed).modifiedMs).toBe(touched.getTime());
  });

  it('refuses unreadable files with the reason, over the API', async () => {
    const t = await start();
    await t.call('settings.setDocuments', { settings: { maxFileBytes: 2048 } });
    const big = await t.raw('docs.add', { path: write('big.txt', 'x'.repeat(4096)) });
    expect(big).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', message: 'big.txt is 4.0 KiB; documents may be at most 2.0 KiB (Settings → Documents).' } });
    const missing = await t.raw('docs.add', { path: join(files.path, 'nothing.txt') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const both = await t.raw('docs.add', {});
    expect(both).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
