import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGenerationSettings, snippetMarkEnd, snippetMarkStart } from '../../src-main/api';
import { History, openDatabase, schemaVersion } from '../../src-main/history';
import { migrations } from '../../src-main/history/migrations';
import { temporaryDir } from '../helpers/paths';
import { sampleMetrics } from '../fixtures/metrics';

const metrics = sampleMetrics();

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
    expect(schemaVersion(history.db)).toBe(migrations.length);
    expect(history.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(history.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = history.db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages', 'message_metrics', 'messages_fts']));
  });

  it('reopening an up-to-date file applies nothing and keeps the data', () => {
    const conversation = history.store.createConversation({ title: 'Kept' });
    history.close();
    history = History.open(file);
    expect(history.store.getConversation(conversation.id).title).toBe('Kept');
    expect(schemaVersion(history.db)).toBe(migrations.length);
  });

  it('refuses a database from a newer build without touching it', () => {
    history.db.pragma(`user_version = ${migrations.length + 5}`);
    history.close();
    expect(() => openDatabase(file)).toThrow(/newer Hearth/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrations.length + 5);
    raw.close();
    history = History.open(join(dir.path, 'other.sqlite'));
  });

  it('creates, reads, updates, lists and trashes conversations', () => {
    const a = history.store.createConversation({ systemPrompt: 'Be brief.', settings: { temperature: 0 } });
    expect(a.title).toBe('New chat');
    expect(a.settings).toEqual({ ...defaultGenerationSettings, temperature: 0 });
    const b = history.store.createConversation({ title: 'Second' });
    const pinned = history.store.updateConversation(a.id, { pinned: true, title: 'First', settings: { maxTokens: 10 } });
    expect(pinned).toMatchObject({ pinned: true, title: 'First', systemPrompt: 'Be brief.' });
    expect(pinned.settings).toMatchObject({ temperature: 0, maxTokens: 10 });
    expect(history.store.listConversations().map((c) => c.id)).toEqual([a.id, b.id]);

    history.store.trashConversation(b.id);
    expect(history.store.listConversations().map((c) => c.id)).toEqual([a.id]);
    expect(() => history.store.getConversation(b.id)).toThrow(/does not exist/);
    expect(history.store.restoreConversation(b.id).title).toBe('Second');
    expect(() => history.store.restoreConversation(b.id)).toThrow(/not in the trash/);
  });

  it('purging the trash deletes the conversation and its messages and metrics', () => {
    const c = history.store.createConversation();
    const m = history.store.addMessage(c.id, { role: 'assistant', content: 'hello purge', status: 'complete' });
    history.store.saveMetrics(m.id, metrics);
    history.store.trashConversation(c.id);
    expect(history.store.purgeTrash(Date.now() + 1)).toBe(1);
    expect(history.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    expect(history.db.prepare('SELECT count(*) FROM message_metrics').pluck().get()).toBe(0);
    expect(history.search('purge')).toEqual([]);
  });

  it('stores messages with their metrics and streams content updates', () => {
    const c = history.store.createConversation();
    history.store.addMessage(c.id, { role: 'user', content: 'Once upon a time', status: 'complete' });
    const reply = history.store.addMessage(c.id, { role: 'assistant', content: '', status: 'streaming' });
    history.store.updateMessageContent(reply.id, ', there was');
    expect(history.store.getMessage(reply.id)).toMatchObject({ content: ', there was', status: 'streaming', metrics: null });
    const done = history.store.finishMessage(reply.id, ', there was a girl', 'complete', null, metrics);
    expect(done).toMatchObject({ content: ', there was a girl', status: 'complete', metrics });
    expect(history.conversationWithMessages(c.id).messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('lists measured replies for the dashboard: filtered by model and time, the newest when limited, oldest first', () => {
    const c = history.store.createConversation({ title: 'Measured' });
    const replies = ['a.gguf', 'b.gguf', 'a.gguf', 'a.gguf'].map((modelFile, index) => {
      history.store.addMessage(c.id, { role: 'user', content: `q${index}`, status: 'complete', createdAt: index * 10 });
      const reply = history.store.addMessage(c.id, { role: 'assistant', content: '', status: 'streaming', createdAt: index * 10 + 1 });
      return history.store.finishMessage(reply.id, `r${index}`, 'complete', null, { ...metrics, modelFile });
    });
    history.store.addMessage(c.id, { role: 'assistant', content: 'never measured', status: 'error', createdAt: 100 });
    const ids = (records: { messageId: number }[]) => records.map((record) => record.messageId);
    expect(ids(history.store.replyRecords())).toEqual(replies.map((reply) => reply.id));
    expect(ids(history.store.replyRecords({ modelFile: 'a.gguf' }))).toEqual([replies[0].id, replies[2].id, replies[3].id]);
    expect(ids(history.store.replyRecords({ limit: 2 }))).toEqual([replies[2].id, replies[3].id]);
    expect(ids(history.store.replyRecords({ since: 15, until: 25 }))).toEqual([replies[2].id]);
    expect(history.store.replyRecords()[0]).toMatchObject({ conversationTitle: 'Measured', metrics: { modelFile: 'a.gguf' } });
    history.store.trashConversation(c.id);
    expect(history.store.replyRecords()).toEqual([]);
  });

  it('marks replies left streaming by a crash as interrupted when reopened', () => {
    const c = history.store.createConversation();
    const reply = history.store.addMessage(c.id, { role: 'assistant', content: 'partial', status: 'streaming' });
    history.close();
    history = History.open(file);
    expect(history.store.markInterruptedReplies()).toBe(1);
    expect(history.store.getMessage(reply.id)).toMatchObject({ status: 'interrupted', content: 'partial' });
  });

  it('searches message text with FTS5, kept in sync on insert, update and delete', () => {
    const c = history.store.createConversation({ title: 'Stories' });
    const m = history.store.addMessage(c.id, { role: 'assistant', content: 'The dragon slept.', status: 'streaming' });
    expect(history.search('dragon')).toHaveLength(1);
    history.store.updateMessageContent(m.id, 'The unicorn danced.');
    expect(history.search('dragon')).toEqual([]);
    const [hit] = history.search('unicorn');
    expect(hit).toMatchObject({ conversationId: c.id, messageId: m.id, conversationTitle: 'Stories', role: 'assistant' });
    expect(hit.snippet).toContain(`${snippetMarkStart}unicorn${snippetMarkEnd}`);
    expect(history.search('unic')).toHaveLength(1);
    expect(history.search('"unbalanced AND (quote')).toEqual([]);
    expect(history.search('***')).toEqual([]);
    history.db.prepare('DELETE FROM messages WHERE id = ?').run(m.id);
    expect(history.search('unicorn')).toEqual([]);
  });

  it('leaves trashed conversations out of search', () => {
    const c = history.store.createConversation();
    history.store.addMessage(c.id, { role: 'user', content: 'secret lighthouse', status: 'complete' });
    history.store.trashConversation(c.id);
    expect(history.search('lighthouse')).toEqual([]);
  });

  it('exports JSON that imports back as an equal conversation, and Markdown', () => {
    const c = history.store.createConversation({ title: 'Round trip', systemPrompt: 'sys', settings: { temperature: 0.2 } });
    history.store.addMessage(c.id, { role: 'user', content: 'Hi', status: 'complete' });
    const reply = history.store.addMessage(c.id, { role: 'assistant', content: 'Hello **there**', status: 'streaming' });
    history.store.finishMessage(reply.id, 'Hello **there**', 'complete', null, metrics);

    const json = history.export(c.id, 'json');
    expect(json).toMatchObject({ filename: 'round-trip.json', mimeType: 'application/json' });
    const imported = history.import(json.content);
    expect(imported.id).not.toBe(c.id);
    expect(imported).toMatchObject({ title: 'Round trip', systemPrompt: 'sys', settings: { temperature: 0.2 } });
    const messages = history.store.listMessages(imported.id);
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

  it('rejects a broken import with a clear error and stores nothing', () => {
    const before = history.store.listConversations().length;
    expect(() => history.import('{not json')).toThrow(/not valid JSON/);
    expect(() => history.import(JSON.stringify({ format: 'other' }))).toThrow(/Not a Hearth conversation export/);
    const badMessage = {
      format: 'hearth.conversation',
      version: 1,
      conversation: { title: 't', modelPath: null, systemPrompt: '', createdAt: 1, updatedAt: 1 },
      messages: [{ role: 'robot', content: 'x', status: 'complete', createdAt: 1 }]
    };
    expect(() => history.import(JSON.stringify(badMessage))).toThrow(/messages\.0\.role/);
    expect(history.store.listConversations()).toHaveLength(before);
  });
});
