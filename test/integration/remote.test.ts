import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteModelName, type Message } from '../../src-main/api';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';
import { stories260K, temporaryDir } from '../helpers/paths';

/** A second Hearth, in its own process, serving /v1 (with a key): the "bigger machine". */
async function startRemoteHearth(dir: string, key: string): Promise<{ server: ServerProcess; baseUrl: string }> {
  const { server, baseURL } = await startApiProcess(dir, [stories260K], ['--api-key', key]);
  return { server, baseUrl: baseURL };
}

describe('a remote engine: another Hearth serving /v1 in its own process', () => {
  const dir = temporaryDir();
  const key = 'remote-secret-key-42';
  let remote: { server: ServerProcess; baseUrl: string };
  let t: TestHearth;
  beforeAll(async () => {
    remote = await startRemoteHearth(join(dir.path, 'remote'), key);
    t = await startTestHearth();
  });
  afterAll(async () => {
    await t.close();
    await killed(remote.server.child, 'SIGTERM');
    dir.remove();
  });

  it('is refused with a clear message when the key is wrong, and added with the right one', async () => {
    const wrong = await t.raw('remotes.add', { name: 'GPU box', baseUrl: remote.baseUrl, apiKey: 'not-the-key' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/refused the key/) } });
    const unreachable = await t.raw('remotes.add', { name: 'Nobody', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(unreachable).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Could not reach/) } });
    const added = await t.call('remotes.add', { name: 'GPU box', baseUrl: remote.baseUrl, apiKey: key });
    expect(added).toMatchObject({ name: 'GPU box', models: ['stories260K.gguf'], hasKey: true, keyStorage: 'memory', error: null });
    expect(JSON.stringify(await t.call('remotes.list'))).not.toContain(key);
  });

  it('chats through it, storing and measuring the reply like a local one', async () => {
    const [engine] = await t.call('remotes.list');
    const conversation = await t.call('conversations.create', { model: remoteModelName(engine.id, 'stories260K.gguf'), settings: { temperature: 0, maxTokens: 24 } });
    const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    const { message } = (await ended) as { message: Message };
    expect(message.status).toBe('complete');
    expect(message.content.startsWith(', there was a little girl named Lily')).toBe(true);
    // Figures name the model by its reference, as the conversation does, not by the engine's own name for it.
    expect(message.metrics).toMatchObject({ model: conversation.model, outputTokens: 24, stopReason: 'maxTokens', chatTemplate: "GPU box's own" });
    expect(message.metrics!.ttftMs).toBeGreaterThan(0);
    expect(message.metrics!.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(message.metrics!.promptTokens).toBeGreaterThan(0);
    const stored = await t.call('conversations.get', { id: conversation.id });
    expect(stored.messages.at(-1)).toEqual(message);
    const records = await t.call('dashboard.replies', { model: conversation.model! });
    expect(records.map((record) => record.messageId)).toContain(message.id);
    const log = await t.call('network.log');
    expect(log.some((record) => record.purpose === 'remote-engine' && record.url.endsWith('/chat/completions') && record.status === 200)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(key);
  });

  it('stops a remote reply on request, keeping what arrived', async () => {
    const [engine] = await t.call('remotes.list');
    const conversation = await t.call('conversations.create', { model: remoteModelName(engine.id, 'stories260K.gguf'), settings: { maxTokens: 4000, stopAtEos: false } });
    const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
    const firstDelta = t.nextEvent('chat.delta', (payload) => payload.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await firstDelta;
    expect(await t.call('chat.stop', { conversationId: conversation.id })).toEqual({ stopped: true });
    const { message } = (await ended) as { message: Message };
    expect(message.metrics?.stopReason).toBe('abort');
    expect(message.content.length).toBeGreaterThan(0);
  });

  it('keeps a remote reply busy until it ends: deleting its message is refused, deleting the conversation stops it', async () => {
    const [engine] = await t.call('remotes.list');
    const conversation = await t.call('conversations.create', { model: remoteModelName(engine.id, 'stories260K.gguf'), settings: { maxTokens: 4000, stopAtEos: false } });
    const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
    const firstDelta = t.nextEvent('chat.delta', (payload) => payload.conversationId === conversation.id);
    const { userMessage } = await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await firstDelta;
    expect(await t.raw('messages.delete', { conversationId: conversation.id, messageId: userMessage.id })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await t.call('conversations.delete', { id: conversation.id });
    const { message } = (await ended) as { message: Message };
    expect(message).toMatchObject({ status: 'complete', metrics: { stopReason: 'abort' } });
    await t.call('conversations.restore', { id: conversation.id });
    const stored = await t.call('conversations.get', { id: conversation.id });
    expect(stored.messages.map((m) => m.status)).toEqual(['complete', 'complete']);
    expect(await t.raw('messages.delete', { conversationId: conversation.id, messageId: userMessage.id })).toMatchObject({ ok: true });
  });

  it('is blocked while offline, and removed with its key', async () => {
    const [engine] = await t.call('remotes.list');
    await t.call('settings.setNetwork', { offline: true });
    expect(await t.raw('remotes.refresh', { id: engine.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/offline/) } });
    await t.call('settings.setNetwork', { offline: false });
    expect((await t.call('remotes.refresh', { id: engine.id })).error).toBeNull();
    await t.call('remotes.remove', { id: engine.id });
    expect(await t.call('remotes.list')).toEqual([]);
  });

});
