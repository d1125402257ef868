import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamingWriteIntervalMs } from '../../src-main/app';
import { startTestHearth, type TestHearth } from '../helpers/hearth';

describe('chat through the router (real SQLite + node-llama-cpp)', () => {
  let t: TestHearth;
  beforeEach(async () => {
    t = await startTestHearth();
  });
  afterEach(() => t.close());

  async function conversationWithModel(settings = { temperature: 0, maxTokens: 48 }) {
    return t.call('conversations.create', { model: 'stories260K.gguf', settings });
  }

  it('lists the installed model with what its header says', async () => {
    const models = await t.call('models.list');
    expect(models).toEqual([
      expect.objectContaining({ name: 'stories260K.gguf', usable: true, architecture: 'llama', quantization: 'F32', hasChatTemplate: false, sizeBytes: 1185376 })
    ]);
  });

  it('sends a message, streams the reply as deltas and stores it with its metrics', async () => {
    const conversation = await conversationWithModel();
    const ended = t.nextEvent('chat.end', (p) => p.conversationId === conversation.id);
    const sent = await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    expect(sent.userMessage).toMatchObject({ role: 'user', content: 'Once upon a time', status: 'complete' });
    expect(sent.assistantMessage).toMatchObject({ role: 'assistant', content: '', status: 'streaming' });

    const { message } = await ended;
    const deltaEvents = t.events.filter((e) => e.name === 'chat.delta').map((e) => e.payload as { delta: string; outputTokens: number });
    expect(deltaEvents.map((e) => e.delta).join('')).toBe(message.content);
    // The first token goes out alone; the rest travel in batches, not one event per token.
    expect(deltaEvents[0].outputTokens).toBe(1);
    expect(deltaEvents.length).toBeLessThan(48 / 2);
    expect(deltaEvents.at(-1)!.outputTokens).toBe(48);
    expect(message.content.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(message.status).toBe('complete');
    expect(message.metrics).toMatchObject({ outputTokens: 48, stopReason: 'maxTokens', model: 'stories260K.gguf' });
    expect(message.metrics!.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(message.metrics!.ttftMs).toBeGreaterThan(0);

    const stored = await t.call('conversations.get', { id: conversation.id });
    expect(stored.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete']
    ]);
    expect(stored.messages[1]).toEqual(message);
    expect(stored.conversation).toMatchObject({ title: 'Once upon a time', chatTemplate: expect.stringContaining('base model') });
    const tokenizer = t.hearth.engine.loaded!.model;
    expect(tokenizer.tokenize(message.content, false, 'trimLeadingSpace').length).toBe(message.metrics!.outputTokens);
  });

  it('writes the streaming reply to SQLite while it streams, not only at the end', async () => {
    const conversation = await conversationWithModel({ temperature: 0.8, maxTokens: 100_000 });
    const sent = await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await new Promise((resolve) => setTimeout(resolve, streamingWriteIntervalMs * 3));
    const midway = t.hearth.history.messages.get(sent.assistantMessage.id);
    expect(midway.status).toBe('streaming');
    expect(midway.content.length).toBeGreaterThan(0);
    const ended = t.nextEvent('chat.end');
    expect(await t.call('chat.stop', { conversationId: conversation.id })).toEqual({ stopped: true });
    const { message } = await ended;
    expect(message).toMatchObject({ status: 'complete', metrics: { stopReason: 'abort' } });
    expect(message.content.startsWith(midway.content)).toBe(true);
  });

  it('refuses a second message while a reply streams, and stop on an idle conversation says so', async () => {
    const conversation = await conversationWithModel({ temperature: 0.8, maxTokens: 100_000 });
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    const busy = await t.raw('chat.send', { conversationId: conversation.id, content: 'again' });
    expect(busy).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    const ended = t.nextEvent('chat.end');
    await t.call('chat.stop', { conversationId: conversation.id });
    await ended;
    expect(await t.call('chat.stop', { conversationId: conversation.id })).toEqual({ stopped: false });
  });

  it('continues a base model conversation as plain text, reusing the cached prefix', async () => {
    const conversation = await conversationWithModel({ temperature: 0, maxTokens: 8 });
    let ended = t.nextEvent('chat.end');
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    const first = (await ended).message.metrics!;
    ended = t.nextEvent('chat.end');
    await t.call('chat.send', { conversationId: conversation.id, content: ' The end.' });
    const second = (await ended).message.metrics!;
    expect(second.promptTokens).toBeGreaterThanOrEqual(first.promptTokens + first.outputTokens);
    expect(second.prefillTokens).toBeLessThan(second.promptTokens);
    expect((await t.call('conversations.get', { id: conversation.id })).messages).toHaveLength(4);
  });

  it('gives clear errors for a missing model, a path outside the models folder, a fake GGUF and no model', async () => {
    writeFileSync(join(t.modelsDir, 'fake.gguf'), 'just text');
    expect(await t.raw('engine.load', { model: 'missing.gguf' })).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    expect(await t.raw('engine.load', { model: '../../etc/passwd.gguf' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.raw('engine.load', { model: 'fake.gguf' })).toMatchObject({
      ok: false,
      error: { code: 'MODEL_INVALID', message: expect.stringMatching(/Not a usable GGUF/) }
    });
    const models = await t.call('models.list');
    expect(models.find((m) => m.name === 'fake.gguf')).toMatchObject({ usable: false, problem: expect.stringMatching(/GGUF/) });
    const bare = await t.call('conversations.create', {});
    expect(await t.raw('chat.send', { conversationId: bare.id, content: 'hi' })).toMatchObject({ ok: false, error: { code: 'NO_MODEL' } });
    expect((await t.call('conversations.get', { id: bare.id })).messages).toEqual([]);
    expect((await t.call('engine.load', { model: 'stories260K.gguf' })).state).toBe('ready');
  });

  it('deletes to the trash, restores, and forgets the trash on restart', async () => {
    const conversation = await t.call('conversations.create', { title: 'Temporary' });
    await t.call('conversations.delete', { id: conversation.id });
    expect(await t.call('conversations.list')).toEqual([]);
    await t.call('conversations.restore', { id: conversation.id });
    expect((await t.call('conversations.list')).map((c) => c.title)).toEqual(['Temporary']);
    await t.call('conversations.delete', { id: conversation.id });
    await t.hearth.close();
    const reopened = await startTestHearth(t.dataDir);
    try {
      expect(await reopened.raw('conversations.restore', { id: conversation.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    } finally {
      await reopened.close();
    }
  });
});
