import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGenerationSettings, snippetMarkEnd, snippetMarkStart } from '../../src-main/api';
import { History } from '../../src-main/history';
import { migrations } from '../../src-main/history/migrations';
import { toTrigramQuery } from '../../src-main/history/search';
import { temporaryDir } from '../helpers/paths';
import { sampleMetrics } from '../fixtures/metrics';

const metrics = sampleMetrics();

/** A second connection to the file, for what the history's operations do not show (pragmas, raw rows). */
function inspect<T>(file: string, look: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return look(db);
  } finally {
    db.close();
  }
}

describe('history (real SQLite file)', () => {
  let dir: ReturnType<typeof temporaryDir>;
  let file: string;
  let history: History;

  beforeEach(() => {
    dir = temporaryDir();
    file = join(dir.path, 'nested', 'history.sqlite');
    history = History.open(file);
  });
  afterEach(() => {
    history.close();
    dir.remove();
  });

  it('migrates an empty file to the latest schema with WAL and foreign keys on', () => {
    inspect(file, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages', 'message_metrics', 'messages_fts']));
    });
    // Foreign keys are a per-connection setting: deleting a conversation must take its messages with it.
    const c = history.conversations.create();
    history.messages.add(c.id, { role: 'user', content: 'cascade', status: 'complete' });
    history.conversations.trash(c.id);
    history.conversations.purgeTrash(Date.now() + 1);
    expect(inspect(file, (db) => db.prepare('SELECT count(*) FROM messages').pluck().get())).toBe(0);
  });

  it('reopening an up-to-date file applies nothing and keeps the data', () => {
    const conversation = history.conversations.create({ title: 'Kept' });
    history.close();
    history = History.open(file);
    expect(history.conversations.get(conversation.id).title).toBe('Kept');
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(migrations.length);
  });

  it('refuses a database from a newer build without touching it', () => {
    history.close();
    inspect(file, (db) => db.pragma(`user_version = ${migrations.length + 5}`));
    expect(() => History.open(file)).toThrow(/newer Hearth/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrations.length + 5);
    raw.close();
    history = History.open(join(dir.path, 'other.sqlite'));
  });

  it('creates, reads, updates, lists and trashes conversations', () => {
    const a = history.conversations.create({ systemPrompt: 'Be brief.', settings: { temperature: 0 } });
    expect(a.title).toBe('New chat');
    expect(a.settings).toEqual({ ...defaultGenerationSettings, temperature: 0 });
    const b = history.conversations.create({ title: 'Second' });
    const pinned = history.conversations.update(a.id, { pinned: true, title: 'First', settings: { maxTokens: 10 } });
    expect(pinned).toMatchObject({ pinned: true, title: 'First', systemPrompt: 'Be brief.' });
    expect(pinned.settings).toMatchObject({ temperature: 0, maxTokens: 10 });
    expect(history.conversations.list().map((c) => c.id)).toEqual([a.id, b.id]);

    history.conversations.trash(b.id);
    expect(history.conversations.list().map((c) => c.id)).toEqual([a.id]);
    expect(() => history.conversations.get(b.id)).toThrow(/does not exist/);
    expect(history.conversations.restore(b.id).title).toBe('Second');
    expect(() => history.conversations.restore(b.id)).toThrow(/not in the trash/);
  });

  it('keeps a renamed or pinned-and-unpinned chat in its place: only messages move a chat up the list', () => {
    const older = history.conversations.create({ title: 'Older', createdAt: 1_000, updatedAt: 1_000 });
    const newer = history.conversations.create({ title: 'Newer', createdAt: 2_000, updatedAt: 2_000 });
    const renamed = history.conversations.update(older.id, { title: 'Older, renamed' });
    history.conversations.update(older.id, { pinned: true });
    history.conversations.update(older.id, { pinned: false });
    expect(renamed.updatedAt).toBe(1_000);
    expect(history.conversations.list().map((c) => c.id)).toEqual([newer.id, older.id]);
    history.messages.add(older.id, { role: 'user', content: 'hello again', status: 'complete' });
    expect(history.conversations.list().map((c) => c.id)).toEqual([older.id, newer.id]);
  });

  it('purging the trash deletes the conversation and its messages and metrics', () => {
    const c = history.conversations.create();
    const m = history.messages.add(c.id, { role: 'assistant', content: 'hello purge', status: 'complete' });
    history.messages.saveMetrics(m.id, metrics);
    history.conversations.trash(c.id);
    expect(history.conversations.purgeTrash(Date.now() + 1)).toBe(1);
    inspect(file, (db) => {
      expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM message_metrics').pluck().get()).toBe(0);
    });
    expect(history.search('purge')).toEqual([]);
  });

  it('stores messages with their metrics and streams content updates', () => {
    const c = history.conversations.create();
    history.messages.add(c.id, { role: 'user', content: 'Once upon a time', status: 'complete' });
    const reply = history.messages.add(c.id, { role: 'assistant', content: '', status: 'streaming' });
    history.messages.updateContent(reply.id, { content: ', there was', thought: '' });
    expect(history.messages.get(reply.id)).toMatchObject({ content: ', there was', status: 'streaming', metrics: null });
    const done = history.messages.finish(reply.id, { content: ', there was a girl', thought: '', status: 'complete', error: null, metrics });
    expect(done).toMatchObject({ content: ', there was a girl', status: 'complete', metrics });
    expect(history.conversationWithMessages(c.id).messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('lists measured replies for the dashboard: filtered by model and time, the newest when limited, oldest first', () => {
    const c = history.conversations.create({ title: 'Measured' });
    const replies = ['a.gguf', 'b.gguf', 'a.gguf', 'a.gguf'].map((model, index) => {
      history.messages.add(c.id, { role: 'user', content: `q${index}`, status: 'complete', createdAt: index * 10 });
      const reply = history.messages.add(c.id, { role: 'assistant', content: '', status: 'streaming', createdAt: index * 10 + 1 });
      return history.messages.finish(reply.id, { content: `r${index}`, thought: '', status: 'complete', error: null, metrics: { ...metrics, model } })!;
    });
    history.messages.add(c.id, { role: 'assistant', content: 'never measured', status: 'error', createdAt: 100 });
    const ids = (records: { messageId: number }[]) => records.map((record) => record.messageId);
    expect(ids(history.replies.list())).toEqual(replies.map((reply) => reply.id));
    expect(ids(history.replies.list({ model: 'a.gguf' }))).toEqual([replies[0].id, replies[2].id, replies[3].id]);
    expect(ids(history.replies.list({ limit: 2 }))).toEqual([replies[2].id, replies[3].id]);
    expect(ids(history.replies.list({ since: 15, until: 25 }))).toEqual([replies[2].id]);
    expect(history.replies.list()[0]).toMatchObject({ conversationTitle: 'Measured', metrics: { model: 'a.gguf' } });
    history.conversations.trash(c.id);
    expect(history.replies.list()).toEqual([]);
  });

  it("keeps an imported reply's figures with it but leaves them out of the dashboard, so export + import never double-counts", async () => {
    const c = history.conversations.create({ title: 'Measured here' });
    history.messages.add(c.id, { role: 'user', content: 'q', status: 'complete' });
    const reply = history.messages.add(c.id, { role: 'assistant', content: '', status: 'streaming' });
    history.messages.finish(reply.id, { content: 'r', thought: '', status: 'complete', error: null, metrics });
    const before = history.replies.list();
    expect(before.map((record) => record.messageId)).toEqual([reply.id]);
    const imported = await history.import(history.export(c.id, 'json').content);
    const importedReply = history.conversationWithMessages(imported.id).messages.find((message) => message.role === 'assistant')!;
    expect(importedReply.metrics).toEqual(metrics);
    expect(history.replies.list()).toEqual(before);
    expect(history.exportReplies({}).content.trim().split('\r\n')).toHaveLength(2);
  });

  it('marks replies left streaming by a crash as interrupted when reopened', () => {
    const c = history.conversations.create();
    const reply = history.messages.add(c.id, { role: 'assistant', content: 'partial', status: 'streaming' });
    history.close();
    history = History.open(file);
    expect(history.messages.markInterrupted()).toBe(1);
    expect(history.messages.get(reply.id)).toMatchObject({ status: 'interrupted', content: 'partial' });
  });

  it('searches message text with FTS5, kept in sync on insert, update and delete', () => {
    const c = history.conversations.create({ title: 'Stories' });
    const m = history.messages.add(c.id, { role: 'assistant', content: 'The dragon slept.', status: 'streaming' });
    expect(history.search('dragon')).toHaveLength(1);
    history.messages.updateContent(m.id, { content: 'The unicorn danced.', thought: '' });
    expect(history.search('dragon')).toEqual([]);
    const [hit] = history.search('unicorn');
    expect(hit).toMatchObject({ conversationId: c.id, messageId: m.id, conversationTitle: 'Stories', role: 'assistant' });
    expect(hit.snippet).toContain(`${snippetMarkStart}unicorn${snippetMarkEnd}`);
    expect(history.search('unic')).toHaveLength(1);
    expect(history.search('"unbalanced AND (quote')).toEqual([]);
    expect(history.search('***')).toEqual([]);
    inspect(file, (db) => db.prepare('DELETE FROM messages WHERE id = ?').run(m.id));
    expect(history.search('unicorn')).toEqual([]);
  });

  it('leaves trashed conversations out of search', () => {
    const c = history.conversations.create();
    history.messages.add(c.id, { role: 'user', content: 'secret lighthouse', status: 'complete' });
    history.conversations.trash(c.id);
    expect(history.search('lighthouse')).toEqual([]);
  });

  it('exports JSON that imports back as an equal conversation, and Markdown', async () => {
    const c = history.conversations.create({ title: 'Round trip', systemPrompt: 'sys', settings: { temperature: 0.2 } });
    history.messages.add(c.id, { role: 'user', content: 'Hi', status: 'complete' });
    const reply = history.messages.add(c.id, { role: 'assistant', content: 'Hello **there**', status: 'streaming' });
    history.messages.finish(reply.id, { content: 'Hello **there**', thought: '', status: 'complete', error: null, metrics });

    const json = history.export(c.id, 'json');
    expect(json).toMatchObject({ filename: 'round-trip.json', mimeType: 'application/json' });
    const imported = await history.import(json.content);
    expect(imported.id).not.toBe(c.id);
    expect(imported).toMatchObject({ title: 'Round trip', systemPrompt: 'sys', settings: { temperature: 0.2 } });
    const messages = history.messages.list(imported.id);
    expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'Hi', 'complete'],
      ['assistant', 'Hello **there**', 'complete']
    ]);
    expect(messages[1].metrics).toEqual(metrics);

    const markdown = history.export(c.id, 'markdown');
    expect(markdown.filename).toBe('round-trip.md');
    expect(markdown.content).toContain('# Round trip');
    expect(markdown.content).toContain('## Assistant\n\nHello **there**');
  });

  it('rejects a broken import with a clear error and stores nothing', async () => {
    const before = history.conversations.list().length;
    await expect(history.import('{not json')).rejects.toThrow(/not valid JSON/);
    await expect(history.import(JSON.stringify({ format: 'other' }))).rejects.toThrow(/Not a Hearth conversation export/);
    const badMessage = {
      format: 'hearth.conversation',
      version: 1,
      conversation: { title: 't', model: null, systemPrompt: '', createdAt: Date.UTC(2025, 0, 1), updatedAt: Date.UTC(2025, 0, 1) },
      messages: [{ role: 'robot', content: 'x', status: 'complete', createdAt: Date.UTC(2025, 0, 1) }]
    };
    await expect(history.import(JSON.stringify(badMessage))).rejects.toThrow(/messages\.0\.role/);
    expect(history.conversations.list()).toHaveLength(before);
  });

  it('imports exports written before the model reference had one name (modelPath, modelFile)', async () => {
    const { model, ...legacyMetrics } = { ...metrics, model: 'x' };
    const legacy = {
      format: 'hearth.conversation',
      version: 1,
      conversation: { title: 'Old export', modelPath: 'qwen/Qwen3-8B-Q4_K_M.gguf', systemPrompt: '', createdAt: Date.UTC(2025, 0, 1), updatedAt: Date.UTC(2025, 0, 1) },
      messages: [
        { role: 'user', content: 'hi', status: 'complete', createdAt: Date.UTC(2025, 0, 1) },
        { role: 'assistant', content: 'hello', status: 'complete', createdAt: Date.UTC(2025, 0, 2), metrics: { ...legacyMetrics, modelFile: 'Qwen3-8B-Q4_K_M.gguf' } }
      ]
    };
    expect(model).toBe('x');
    const imported = await history.import(JSON.stringify(legacy));
    expect(imported.model).toBe('qwen/Qwen3-8B-Q4_K_M.gguf');
    expect(history.messages.list(imported.id)[1].metrics?.model).toBe('Qwen3-8B-Q4_K_M.gguf');
  });
});

describe('upgrading a history from before one model reference (schema 9 → 10)', () => {
  it('renames the columns, gives replies of subfolder models the whole reference, and rewrites API request figures', () => {
    const dir = temporaryDir();
    const file = join(dir.path, 'history.sqlite');
    inspect(file, (db) => {
      for (const migration of migrations.slice(0, 9)) db.exec(migration);
      db.pragma('user_version = 9');
      db.prepare("INSERT INTO conversations (id, title, model_path, created_at, updated_at) VALUES (1, 'sub', 'qwen/Qwen3-8B-Q4_K_M.gguf', 1, 1), (2, 'top', 'stories260K.gguf', 1, 1)").run();
      db.prepare("INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at) VALUES (1, 1, 'assistant', 'a', 'complete', 1, 1), (2, 2, 'assistant', 'b', 'complete', 1, 1)").run();
      const insertMetrics = db.prepare("INSERT INTO message_metrics (message_id, model_file, chat_template, prompt_tokens, prefill_tokens, output_tokens, total_ms, stop_reason, sampling, threads) VALUES (?, ?, 't', 1, 1, 1, 1, 'eos', '{}', 1)");
      insertMetrics.run(1, 'Qwen3-8B-Q4_K_M.gguf');
      insertMetrics.run(2, 'stories260K.gguf');
      const { model: _, ...legacyMetrics } = metrics;
      db.prepare("INSERT INTO api_requests (created_at, endpoint, model_file, metrics) VALUES (1, '/v1/completions', 'stories260K.gguf', ?)").run(JSON.stringify({ ...legacyMetrics, modelFile: 'stories260K.gguf' }));
    });
    const history = History.open(file);
    try {
      expect(history.conversations.get(1).model).toBe('qwen/Qwen3-8B-Q4_K_M.gguf');
      expect(history.messages.get(1).metrics?.model).toBe('qwen/Qwen3-8B-Q4_K_M.gguf');
      expect(history.messages.get(2).metrics?.model).toBe('stories260K.gguf');
      const api = history.replies.list().find((record) => record.messageId < 0);
      expect(api?.metrics.model).toBe('stories260K.gguf');
      expect(history.replies.list({ model: 'qwen/Qwen3-8B-Q4_K_M.gguf' }).map((record) => record.messageId)).toEqual([1]);
    } finally {
      history.close();
      dir.remove();
    }
  });
});

describe('upgrading a history from before thoughts were kept (schema 10 → 11)', () => {
  it('gives every message an empty thought and indexes thoughts written after the upgrade', () => {
    const dir = temporaryDir();
    const file = join(dir.path, 'history.sqlite');
    inspect(file, (db) => {
      for (const migration of migrations.slice(0, 10)) db.exec(migration);
      db.pragma('user_version = 10');
      db.prepare("INSERT INTO conversations (id, title, model, created_at, updated_at) VALUES (1, 'old', 'stories260K.gguf', 1, 1)").run();
      db.prepare("INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at) VALUES (1, 1, 'assistant', 'an old answer', 'complete', 1, 1)").run();
      db.prepare("INSERT INTO message_metrics (message_id, model, chat_template, prompt_tokens, prefill_tokens, output_tokens, total_ms, stop_reason, sampling, threads) VALUES (1, 'stories260K.gguf', 't', 1, 1, 2, 1, 'eos', '{}', 1)").run();
    });
    const history = History.open(file);
    try {
      expect(history.messages.get(1)).toMatchObject({ content: 'an old answer', thought: '', metrics: { outputTokens: 2, thoughtTokens: 0, thinkingMs: null, ttfaMs: null } });
      history.preferences.setHistory({ searchThoughts: true });
      expect(history.search('answer')).toMatchObject([{ messageId: 1, inThought: false }]);
      history.messages.updateContent(1, { content: 'an old answer', thought: 'pondering first' });
      expect(history.search('pondering')).toMatchObject([{ messageId: 1, inThought: true }]);
      // One figure that does not read (here a negative thinking time) keeps its default alone; the others stay.
      inspect(file, (db) =>
        db.prepare('UPDATE message_metrics SET details = ? WHERE message_id = 1').run(JSON.stringify({ thinkingMs: -5, thoughtTokens: 7, speculation: { kind: 'promptLookup', draftModel: null, validated: 3, refuted: 1 } }))
      );
      expect(history.messages.get(1).metrics).toMatchObject({ thinkingMs: null, thoughtTokens: 7, speculation: { validated: 3 } });
    } finally {
      history.close();
      dir.remove();
    }
  });
});

describe('searching scripts written without spaces (Chinese, Japanese, Korean, Thai)', () => {
  let dir: ReturnType<typeof temporaryDir>;
  let file: string;
  let history: History;
  let conversation: number;
  const say = (content: string, thought = '') => history.messages.add(conversation, { role: 'assistant', content, thought, status: 'complete' }).id;
  const found = (query: string) => history.search(query).map((hit) => hit.messageId);

  beforeEach(() => {
    dir = temporaryDir();
    file = join(dir.path, 'history.sqlite');
    history = History.open(file);
    conversation = history.conversations.create({ title: '旅行' }).id;
  });
  afterEach(() => {
    history.close();
    dir.remove();
  });

  it('finds a Japanese word inside a sentence, at any length down to one character, and marks it in the snippet', () => {
    const tokyo = say('私は東京に住んでいます');
    say('大阪は食べ物がおいしい');
    expect(found('東京')).toEqual([tokyo]);
    expect(found('住んで')).toEqual([tokyo]);
    expect(found('京')).toEqual([tokyo]);
    expect(found('京都')).toEqual([]);
    expect(history.search('東京')[0].snippet).toBe(`私は${snippetMarkStart}東京${snippetMarkEnd}に住んでいます`);
    expect(history.search('住んで')[0].snippet).toBe(`私は東京に${snippetMarkStart}住んで${snippetMarkEnd}います`);
  });

  it('finds a Chinese word inside a sentence', () => {
    const beijing = say('我住在北京市中心');
    say('上海的天气很好');
    expect(found('北京')).toEqual([beijing]);
    expect(found('北京市中心')).toEqual([beijing]);
    expect(found('南京')).toEqual([]);
  });

  it('finds a Korean noun with its particle attached, and inside a compound', () => {
    const seoul = say('저는 서울에 살아요');
    const university = say('서울대학교에서 공부해요');
    expect(found('서울').sort()).toEqual([seoul, university].sort());
    expect(found('대학교')).toEqual([university]);
    expect(found('살아요')).toEqual([seoul]);
    expect(history.search('대학교')[0].snippet).toContain(`서울${snippetMarkStart}대학교${snippetMarkEnd}에서`);
  });

  it('finds a Thai word inside a sentence', () => {
    const bangkok = say('ฉันอาศัยอยู่ที่กรุงเทพมหานคร');
    expect(found('กรุงเทพ')).toEqual([bangkok]);
    expect(found('มหานคร')).toEqual([bangkok]);
  });

  it('needs every part of a mixed-script query, Latin words included', () => {
    const gpt4 = say('GPT-4の性能を比べました');
    const tokyo = say('I moved to Tokyo (東京) last year');
    say('東京 is far from here');
    expect(found('GPT-4の性能')).toEqual([gpt4]);
    expect(found('GPT-5の性能')).toEqual([]);
    expect(found('Tokyo 東京')).toEqual([tokyo]);
    expect(found('tokyo 京')).toEqual([tokyo]);
    const [hit] = history.search('Tokyo 東京');
    expect(hit.snippet).toContain(`${snippetMarkStart}Tokyo${snippetMarkEnd} (${snippetMarkStart}東京${snippetMarkEnd})`);
  });

  it('searches CJK thoughts only when "search thinking too" is on', () => {
    const message = say('答えは42です', 'まず東京の人口を考える');
    expect(found('東京')).toEqual([]);
    expect(found('人口')).toEqual([]);
    history.preferences.setHistory({ searchThoughts: true });
    expect(history.search('東京')).toMatchObject([{ messageId: message, inThought: true, snippet: `まず${snippetMarkStart}東京${snippetMarkEnd}の人口を考える` }]);
    expect(history.search('人口を考')).toMatchObject([{ messageId: message, inThought: true }]);
    expect(history.search('答え')).toMatchObject([{ messageId: message, inThought: false }]);
  });

  it('keeps the CJK index in step on update and delete, and leaves trashed conversations out', () => {
    const message = say('私は東京に住んでいます', '東京について考える');
    history.preferences.setHistory({ searchThoughts: true });
    history.messages.updateContent(message, { content: '私は大阪に住んでいます', thought: '大阪について考える' });
    expect(found('東京に住')).toEqual([]);
    expect(found('大阪に住')).toEqual([message]);
    expect(found('大阪について')).toEqual([message]);
    history.conversations.trash(conversation);
    expect(found('大阪に住')).toEqual([]);
    history.conversations.restore(conversation);
    inspect(file, (db) => db.prepare('DELETE FROM messages WHERE id = ?').run(message));
    expect(found('大阪に住')).toEqual([]);
    inspect(file, (db) => {
      // Gone from the trigram indexes themselves, not merely hidden by the join with messages.
      expect(db.prepare("SELECT count(*) FROM messages_trigram WHERE messages_trigram MATCH '\"大阪に\"'").pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM thoughts_trigram WHERE thoughts_trigram MATCH '\"大阪に\"'").pluck().get()).toBe(0);
    });
  });

  it('indexes every character that search reads as CJK or Thai, and no character of the scripts before Thai', () => {
    const trigger = inspect(file, (db) => db.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_trigram_insert'").pluck().get() as string);
    const glob = /GLOB '([^']+)'/.exec(trigger)![1];
    const codePoints = Array.from({ length: 0x40000 }, (_, codePoint) => codePoint).filter((codePoint) => codePoint < 0xd800 || codePoint > 0xdfff);
    const searchedAsCjk = codePoints.filter((codePoint) => toTrigramQuery(String.fromCodePoint(codePoint)) !== null);
    expect(searchedAsCjk.length).toBeGreaterThan(90_000);
    inspect(file, (db) => {
      const unmatched = db.prepare('SELECT value FROM json_each(?) WHERE NOT char(value) GLOB ?').pluck();
      expect(unmatched.all(JSON.stringify(searchedAsCjk), glob)).toEqual([]);
      const matched = db.prepare('SELECT value FROM json_each(?) WHERE char(value) GLOB ?').pluck();
      expect(matched.all(JSON.stringify(codePoints.filter((codePoint) => codePoint < 0x0e00)), glob)).toEqual([]);
    });
  });

  it('indexes by trigram only the messages that hold such scripts', () => {
    say('A plain English answer');
    say('日本語の答え', 'An English thought');
    inspect(file, (db) => {
      expect(db.prepare('SELECT count(*) FROM messages_trigram').pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM thoughts_trigram').pluck().get()).toBe(0);
    });
  });
});

describe('upgrading a history from before CJK search (schema 12 → 13)', () => {
  it('indexes the CJK answers and thoughts already there', () => {
    const dir = temporaryDir();
    const file = join(dir.path, 'history.sqlite');
    inspect(file, (db) => {
      for (const migration of migrations.slice(0, 12)) db.exec(migration);
      db.pragma('user_version = 12');
      db.prepare("INSERT INTO conversations (id, title, model, created_at, updated_at) VALUES (1, 'old', 'stories260K.gguf', 1, 1)").run();
      const insert = db.prepare("INSERT INTO messages (id, conversation_id, role, content, thought, status, created_at, updated_at) VALUES (?, 1, 'assistant', ?, ?, 'complete', 1, 1)");
      insert.run(1, '私は東京に住んでいます', '');
      insert.run(2, 'an old answer', '我住在北京市中心');
      insert.run(3, '저는 서울에 살아요', '');
    });
    const history = History.open(file);
    try {
      expect(history.search('東京').map((hit) => hit.messageId)).toEqual([1]);
      expect(history.search('住んで').map((hit) => hit.messageId)).toEqual([1]);
      expect(history.search('서울').map((hit) => hit.messageId)).toEqual([3]);
      expect(history.search('北京')).toEqual([]);
      history.preferences.setHistory({ searchThoughts: true });
      expect(history.search('北京市')).toMatchObject([{ messageId: 2, inThought: true }]);
      expect(history.search('answer')).toMatchObject([{ messageId: 2, inThought: false }]);
    } finally {
      history.close();
      dir.remove();
    }
  });
});
