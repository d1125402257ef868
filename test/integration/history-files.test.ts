import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserToken } from '../../src-main/app';
import { History, HistoryFileError, HistoryLockedError, moveHistoryAside, recoverHistory } from '../../src-main/history';
import { temporaryDir } from '../helpers/paths';
import { killed, startServerProcess } from '../helpers/server-process';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** A real history with enough rows to span many pages, checkpointed so the main file holds them all. */
function writeHistory(file: string, conversations = 300): void {
  const history = History.open(file);
  for (let index = 0; index < conversations; index++) {
    const conversation = history.conversations.create({ title: `Conversation ${index}` });
    history.messages.add(conversation.id, { role: 'user', content: `Question ${index} ${'words '.repeat(40)}`, status: 'complete' });
    history.messages.add(conversation.id, { role: 'assistant', content: `Answer ${index} ${'words '.repeat(60)}`, status: 'complete' });
  }
  history.close();
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe('history files: checked before anything writes to them', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());
  const pristine = join(dir.path, 'pristine.sqlite');
  writeHistory(pristine);

  const fixtures: Record<string, (file: string) => void> = {
    'a damaged page': (file) => {
      copyFileSync(pristine, file);
      const descriptor = openSync(file, 'r+');
      const pages = statSync(file).size / 4096;
      writeSync(descriptor, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages / 2) * 4096);
      closeSync(descriptor);
    },
    'a truncated file': (file) => {
      copyFileSync(pristine, file);
      truncateSync(file, Math.floor(statSync(file).size / 2));
    },
    'an unrelated SQLite file': (file) => {
      const db = new Database(file);
      db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);");
      db.close();
    },
    'a text file': (file) => writeFileSync(file, 'These are my notes, not a database.\n'.repeat(100))
  };
  const expected: Record<string, HistoryFileError['problem']> = {
    'a damaged page': 'damaged',
    'a truncated file': 'damaged',
    'an unrelated SQLite file': 'foreign',
    'a text file': 'not-sqlite'
  };

  for (const [name, make] of Object.entries(fixtures)) {
    it(`refuses ${name}, naming the file and the problem, and leaves it byte for byte as it was`, () => {
      const folder = join(dir.path, name.replace(/\W+/g, '-'));
      mkdirSync(folder);
      const file = join(folder, 'history.sqlite');
      make(file);
      const before = sha256(file);
      const failure = (() => {
        try {
          History.open(file).close();
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(failure).toBeInstanceOf(HistoryFileError);
      expect(failure).toMatchObject({ problem: expected[name], path: file, message: expect.stringContaining(file) });
      expect(sha256(file)).toBe(before);
      expect(existsSync(`${file}-wal`)).toBe(false);
    });
  }

  it('recovers what can be read of a damaged history into a new one, keeping the damaged file aside', () => {
    const folder = join(dir.path, 'recover');
    mkdirSync(folder);
    const file = join(folder, 'history.sqlite');
    fixtures['a damaged page'](file);
    const damagedHash = sha256(file);
    const report = recoverHistory(file);
    expect(sha256(report.movedTo)).toBe(damagedHash);
    expect(report.rows.conversations).toBeGreaterThan(200);
    expect(report.rows.messages).toBeGreaterThan(400);
    const history = History.open(file);
    try {
      const listed = history.conversations.list();
      expect(listed.length).toBe(report.rows.conversations);
      expect(history.messages.list(listed[0].id).length).toBeGreaterThan(0);
      expect(history.search('Answer').length).toBeGreaterThan(0);
    } finally {
      history.close();
    }
  });

  it('recovers the documents too: collections, documents, chunks and their search, vectors, attachments and sources', () => {
    const folder = join(dir.path, 'recover-documents');
    mkdirSync(folder);
    const file = join(folder, 'history.sqlite');
    const vector = (seed: number) => Float32Array.from({ length: 8 }, (_, index) => Math.sin(seed * 7 + index));
    const written = History.open(file);
    const conversation = written.conversations.create({ title: 'Reading' });
    const collection = written.documents.createCollection('Tales', null);
    const document = written.documents.add({ collectionId: collection.id, name: 'story.md', path: null, kind: 'markdown', sizeBytes: 10, modifiedMs: null, sha256: 'abc', pages: null, blocks: [{ text: 'The zorblax sleeps.', page: null, headings: [] }] });
    written.chunks.useVectorSpace('embedder.gguf', 8);
    written.chunks.replace(document.id, [0, 1, 2].map((position) => ({ position, text: position === 1 ? 'The zorblax sleeps.' : `Tom and Lily ${position}.`, page: null, heading: '', tokens: 5 })), 'embedder.gguf');
    written.chunks.saveVectors('embedder.gguf', written.chunks.unembedded('embedder.gguf', 10).map((chunk) => ({ chunkId: chunk.id, vector: vector(chunk.position) })));
    written.documents.attach(conversation.id, [document.id], collection.id);
    const sources = [{ marker: 1, documentId: document.id, name: 'story.md', page: null, heading: '', chunkId: 2, score: 0.03 }];
    written.messages.insertImported(conversation.id, { role: 'assistant', content: 'It sleeps [1].', status: 'complete', sources }, null);
    written.close();

    const report = recoverHistory(file);
    expect(report).toMatchObject({ lost: 0, rows: { collections: 1, documents: 1, chunks: 3, conversation_documents: 2, vector_space: 1, chunk_vectors: 3, chunk_signs: 3 } });
    const history = History.open(file);
    try {
      expect(history.documents.collections()).toMatchObject([{ name: 'Tales', documents: 1, chunks: 3, embeddedChunks: 3 }]);
      expect(history.documents.blocksOf(document.id)).toEqual([{ text: 'The zorblax sleeps.', page: null, headings: [] }]);
      expect(history.documents.attached(conversation.id)).toEqual({ conversationId: conversation.id, documentIds: [document.id], collectionId: collection.id });
      const [zorblax] = history.chunks.keywordSearch(['zorblax'], null, 10);
      expect(history.chunks.byIds([zorblax.chunkId])[0].text).toBe('The zorblax sleeps.');
      expect(history.chunks.vectorSearch(vector(2), [document.id], 1, 0)).toEqual([{ chunkId: expect.any(Number), similarity: expect.closeTo(1, 5) }]);
      expect(history.chunks.vectorModel()).toBe('embedder.gguf');
      expect(history.messages.list(conversation.id).at(-1)!.sources).toEqual(sources);
    } finally {
      history.close();
    }
  });

  it('moves an unusable history aside on request, and starts an empty one', () => {
    const folder = join(dir.path, 'reset');
    mkdirSync(folder);
    const file = join(folder, 'history.sqlite');
    fixtures['an unrelated SQLite file'](file);
    const before = sha256(file);
    const aside = moveHistoryAside(file, 'foreign');
    expect(sha256(aside)).toBe(before);
    const history = History.open(file);
    expect(history.conversations.list()).toEqual([]);
    history.close();
  });

  it('opens a history written before the application id, and marks it as Hearth\'s', () => {
    const folder = join(dir.path, 'older');
    mkdirSync(folder);
    const file = join(folder, 'history.sqlite');
    copyFileSync(pristine, file);
    const db = new Database(file);
    db.pragma('application_id = 0');
    db.close();
    const history = History.open(file);
    expect(history.conversations.list()).toHaveLength(300);
    history.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('application_id', { simple: true })).toBe(0x48525448);
    reopened.close();
  });
});

describe('privacy of the files on disk', () => {
  it('creates the data folder 0700 and the history, its WAL and shared memory, and the browser token 0600', () => {
    const dir = temporaryDir();
    try {
      const dataDir = join(dir.path, 'data');
      const history = History.open(join(dataDir, 'history.sqlite'));
      history.conversations.create({ title: 'private' });
      const token = browserToken(dataDir);
      expect(token).toMatch(/^[\w-]{32}$/);
      expect(browserToken(dataDir)).toBe(token);
      expect(mode(dataDir)).toBe('700');
      for (const file of ['history.sqlite', 'history.sqlite-wal', 'history.sqlite-shm', 'browser-token']) expect({ file, mode: mode(join(dataDir, file)) }).toEqual({ file, mode: '600' });
      history.close();
    } finally {
      dir.remove();
    }
  });

  it('tightens a folder and files created looser by an older build', () => {
    const dir = temporaryDir();
    try {
      const dataDir = join(dir.path, 'data');
      mkdirSync(dataDir, { mode: 0o755 });
      chmodSync(dataDir, 0o755);
      writeHistory(join(dataDir, 'history.sqlite'), 1);
      chmodSync(join(dataDir, 'history.sqlite'), 0o644);
      History.open(join(dataDir, 'history.sqlite')).close();
      expect(mode(dataDir)).toBe('700');
      expect(mode(join(dataDir, 'history.sqlite'))).toBe('600');
    } finally {
      dir.remove();
    }
  });
});

describe('one process per history', () => {
  it('refuses a second Hearth on the same folder, in the same process too, naming the holder', () => {
    const dir = temporaryDir();
    try {
      const file = join(dir.path, 'history.sqlite');
      const first = History.open(file);
      const second = (() => {
        try {
          return History.open(file);
        } catch (error) {
          return error;
        }
      })();
      expect(second).toBeInstanceOf(HistoryLockedError);
      expect((second as Error).message).toContain(`pid ${process.pid}`);
      first.close();
      History.open(file).close();
    } finally {
      dir.remove();
    }
  });

  it('refuses a second `hearth serve` with the pid of the first, and recovers at once from a lock left by kill -9', async () => {
    const dir = temporaryDir();
    const args = ['--data-dir', join(dir.path, 'data'), '--models-dir', join(dir.path, 'models')];
    try {
      const first = await startServerProcess(args, { HEARTH_GPU: 'cpu' });
      const second = await startServerProcess(args, { HEARTH_GPU: 'cpu' }).then(
        () => null,
        (error: Error) => error.message
      );
      expect(second).toMatch(new RegExp(`pid ${first.child.pid}.*already using the history`));
      await killed(first.child, 'SIGKILL');
      const third = await startServerProcess(args, { HEARTH_GPU: 'cpu' });
      expect(await third.call('conversations.list')).toEqual([]);
      await killed(third.child, 'SIGTERM');
      // The lock's note about its holder goes with a clean exit.
      expect(readdirSync(join(dir.path, 'data')).filter((name) => name.endsWith('.lock.json'))).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});
