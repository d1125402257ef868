import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src-main/api';
import { History } from '../../src-main/history';
import { migrations } from '../../src-main/history/migrations';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { temporaryDir } from '../helpers/paths';

describe('regenerate, edit, continue, navigate and delete (real Hearth on stories260K)', () => {
  let t: TestHearth;
  let conversationId: number;
  beforeAll(async () => {
    t = await startTestHearth();
    conversationId = (await t.call('conversations.create', { model: 'stories260K.gguf', settings: { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed: 1, maxTokens: 12 } })).id;
  });
  afterAll(() => t.close());

  const untilEnd = async <T>(start: () => Promise<T>): Promise<{ started: T; message: Message }> => {
    const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversationId);
    const started = await start();
    return { started, message: (await ended).message };
  };
  const shown = async () => (await t.call('conversations.get', { id: conversationId })).messages;

  it('keeps a regenerated reply beside the first, and navigates between them', async () => {
    const first = await untilEnd(() => t.call('chat.send', { conversationId, content: 'Once upon a time' }));
    await t.call('conversations.update', { id: conversationId, settings: { seed: 2 } });
    const second = await untilEnd(() => t.call('chat.regenerate', { conversationId, messageId: first.message.id }));
    expect(second.message.content).not.toBe(first.message.content);
    let messages = await shown();
    expect(messages.map((message) => message.id)).toEqual([first.started.userMessage.id, second.message.id]);
    expect(messages[1].siblingIds).toEqual([first.message.id, second.message.id]);

    const back = await t.call('messages.select', { conversationId, messageId: first.message.id });
    expect(back.messages[1]).toMatchObject({ id: first.message.id, content: first.message.content });
    messages = await shown();
    expect(messages[1].id).toBe(first.message.id);
  });

  it('sends an edited message as a new branch and keeps the old one', async () => {
    const [userMessage, reply] = await shown();
    const edited = await untilEnd(() => t.call('chat.edit', { conversationId, messageId: userMessage.id, content: 'Once upon a time there' }));
    const messages = await shown();
    expect(messages.map((message) => message.content.slice(0, 22))).toEqual(['Once upon a time there', edited.message.content.slice(0, 22)]);
    expect(messages[0].siblingIds).toEqual([userMessage.id, edited.started.userMessage.id]);
    // The old branch, with its reply and that reply's alternative, is one step away.
    const old = await t.call('messages.select', { conversationId, messageId: userMessage.id });
    expect(old.messages[0].id).toBe(userMessage.id);
    expect(old.messages[1].siblingIds).toHaveLength(2);
    expect(old.messages[1].siblingIds).toContain(reply.id);
  });

  it('continues a reply that stopped at max tokens in the same message', async () => {
    const [, reply] = await shown();
    expect(reply.metrics?.stopReason).toBe('maxTokens');
    const continued = await untilEnd(() => t.call('chat.continue', { conversationId, messageId: reply.id }));
    expect(continued.message.id).toBe(reply.id);
    expect(continued.message.content.startsWith(reply.content)).toBe(true);
    expect(continued.message.content.length).toBeGreaterThan(reply.content.length);
    expect(continued.message.status).toBe('complete');
  });

  it('deletes a reply, showing its remaining alternative; deleting a message takes what follows with it', async () => {
    const [userMessage, reply] = await shown();
    const [otherReply] = reply.siblingIds.filter((id) => id !== reply.id);
    const afterDelete = await t.call('messages.delete', { conversationId, messageId: reply.id });
    expect(afterDelete.messages.map((message) => message.id)).toEqual([userMessage.id, otherReply]);
    expect(afterDelete.messages[1].siblingIds).toEqual([otherReply]);

    const gone = await t.call('messages.delete', { conversationId, messageId: userMessage.id });
    // The edited branch is what remains.
    expect(gone.messages[0].content).toBe('Once upon a time there');
    expect((await t.raw('messages.select', { conversationId, messageId: otherReply })).ok).toBe(false);
  });

  it('refuses ids from another conversation and the wrong kind of message', async () => {
    const other = await t.call('conversations.create', { model: 'stories260K.gguf' });
    const [userMessage] = await shown();
    expect(await t.raw('messages.delete', { conversationId: other.id, messageId: userMessage.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.raw('chat.regenerate', { conversationId, messageId: userMessage.id })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('counts the prompt against the context and shows the exact prompt text', async () => {
    const report = await t.call('chat.context', { conversationId, draft: ' The dog' });
    expect(report).toMatchObject({ model: 'stories260K.gguf', contextSize: 2048, policy: 'dropOldest', droppedTurns: 0 });
    expect(report.promptText).toContain('Once upon a time there');
    expect(report.promptText.endsWith('The dog')).toBe(true);
    // The live count is what the model then receives.
    const sent = await untilEnd(() => t.call('chat.send', { conversationId, content: ' The dog' }));
    expect(sent.message.metrics?.promptTokens).toBe(report.promptTokens);
  });

  it('exports every branch to JSON and imports the same tree, showing the same branch', async () => {
    await t.call('conversations.update', { id: conversationId, settings: { seed: 5 } });
    const [, reply] = await shown();
    await untilEnd(() => t.call('chat.regenerate', { conversationId, messageId: reply.id }));
    const before = await t.call('conversations.get', { id: conversationId });
    const exported = await t.call('conversations.export', { id: conversationId, format: 'json' });
    const imported = await t.call('conversations.import', { content: exported.content });
    const after = await t.call('conversations.get', { id: imported.id });
    const shape = (messages: Message[]) => messages.map((message) => [message.role, message.content, message.siblingIds.length]);
    expect(shape(after.messages)).toEqual(shape(before.messages));
    const allBefore = JSON.parse(exported.content).messages.length;
    const reExported = JSON.parse((await t.call('conversations.export', { id: imported.id, format: 'json' })).content);
    expect(reExported.messages).toHaveLength(allBefore);
    expect(allBefore).toBeGreaterThan(before.messages.length);
  });

  it('refuses an export whose parent links point forward', async () => {
    const exported = JSON.parse((await t.call('conversations.export', { id: conversationId, format: 'json' })).content);
    exported.messages[0].parent = 1;
    expect(await t.raw('conversations.import', { content: JSON.stringify(exported) })).toMatchObject({ ok: false, error: { code: 'IMPORT_INVALID', message: expect.stringMatching(/earlier message/) } });
  });

  it('starts new conversations with the saved defaults', async () => {
    await t.call('settings.setGenerationDefaults', { settings: { temperature: 0.2, stop: ['THE END'] } });
    const created = await t.call('conversations.create', {});
    expect(created.settings).toMatchObject({ temperature: 0.2, stop: ['THE END'] });
    expect(await t.raw('settings.setGenerationDefaults', { settings: { topP: 3 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('migrating history written before branches', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('turns each existing conversation into one branch, showing its last message', () => {
    const file = join(dir.path, 'old.sqlite');
    const old = new Database(file);
    for (const migration of migrations.slice(0, 4)) old.exec(migration);
    old.pragma('user_version = 4');
    old.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (1, 'old', 0, 0)").run();
    for (const [id, role] of [[1, 'user'], [2, 'assistant'], [3, 'user'], [4, 'assistant']] as const) {
      old.prepare("INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at) VALUES (?, 1, ?, ?, 'complete', 0, 0)").run(id, role, `m${id}`);
    }
    old.close();

    const history = History.open(file);
    try {
      const messages = history.messages.list(1);
      expect(messages.map((message) => [message.id, message.parentId, message.siblingIds])).toEqual([
        [1, null, [1]],
        [2, 1, [2]],
        [3, 2, [3]],
        [4, 3, [4]]
      ]);
    } finally {
      history.close();
    }
  });
});
