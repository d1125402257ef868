import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServerStatus } from '../../src-main/api';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startApiProcess } from '../helpers/server-process';

describe('the OpenAI API switched on and off from Settings', () => {
  let t: TestHearth;
  beforeAll(async () => {
    t = await startTestHearth();
  });
  afterAll(() => t.close());

  it('is off by default, starts when enabled, and stops when disabled', async () => {
    expect(await t.call('apiServer.status')).toMatchObject({ running: false, url: null, settings: { enabled: false, host: '127.0.0.1' } });
    const on = await t.call('apiServer.configure', { settings: { enabled: true, port: 0 } });
    expect(on).toMatchObject({ running: true, error: null });
    const client = new OpenAI({ baseURL: on.url!, apiKey: 'none', maxRetries: 0 });
    expect((await client.models.list()).data.map((model) => model.id)).toContain('stories260K.gguf');
    const off = await t.call('apiServer.configure', { settings: { enabled: false } });
    expect(off).toMatchObject({ running: false, url: null });
    await expect(client.models.list()).rejects.toThrow();
  });

  it('refuses a non-loopback address without a key, saying why, and keeps running Hearth', async () => {
    const refused = await t.call('apiServer.configure', { settings: { enabled: true, host: '0.0.0.0', port: 0 } });
    expect(refused).toMatchObject({ running: false, error: expect.stringMatching(/without an API key/) });
    const keyed = await t.call('apiServer.configure', { settings: { host: '127.0.0.1' }, apiKey: 'settings-key-1234' });
    expect(keyed).toMatchObject({ running: true, hasKey: true });
    expect(JSON.stringify(keyed)).not.toContain('settings-key-1234');
    await expect(new OpenAI({ baseURL: keyed.url!, apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
    await t.call('apiServer.configure', { settings: { enabled: false }, apiKey: null });
  });

  it('shows API requests in the dashboard, and keeps API chats in the history only when asked to', async () => {
    const on = await t.call('apiServer.configure', { settings: { enabled: true, port: 0, storeChats: false } });
    const client = new OpenAI({ baseURL: on.url!, apiKey: 'none', maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'stories260K.gguf', messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 8 });
    await ask();
    const [request] = (await t.call('dashboard.replies', {})).filter((record) => record.conversationId === 0);
    expect(request).toMatchObject({ conversationTitle: 'API /v1/chat/completions', metrics: { outputTokens: 8, model: 'stories260K.gguf' } });
    expect(request.messageId).toBeLessThan(0);
    expect((await t.call('conversations.list')).some((conversation) => conversation.title.startsWith('API ·'))).toBe(false);

    await t.call('apiServer.configure', { settings: { storeChats: true } });
    await ask();
    const stored = (await t.call('conversations.list')).find((conversation) => conversation.title === 'API · Once upon a time');
    expect(stored).toBeDefined();
    const { messages } = await t.call('conversations.get', { id: stored!.id });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[1].metrics?.outputTokens).toBe(8);
    await t.call('apiServer.configure', { settings: { enabled: false, storeChats: false } });
  });
});

describe('the OpenAI API started with `hearth serve --api`', () => {
  it('is the server Settings shows and switches: no second server, off stops it, settings saved only when changed there', async () => {
    const dir = temporaryDir();
    const { server, baseURL, client } = await startApiProcess(dir.path, [stories260K]);
    try {
      const running = await server.call<ApiServerStatus>('apiServer.status');
      expect(running).toMatchObject({ running: true, url: baseURL, startedBy: 'command line', settings: { enabled: true } });
      // Switching "on" again in Settings keeps the one server: same address, still answering.
      const again = await server.call<ApiServerStatus>('apiServer.configure', { settings: { enabled: true } });
      expect(again).toMatchObject({ running: true, url: baseURL, startedBy: 'settings' });
      expect((await client.models.list()).data.map((model) => model.id)).toContain('stories260K.gguf');
      const off = await server.call<ApiServerStatus>('apiServer.configure', { settings: { enabled: false } });
      expect(off).toMatchObject({ running: false, url: null, startedBy: null, settings: { enabled: false } });
      await expect(client.models.list()).rejects.toThrow();
    } finally {
      await killed(server.child);
      dir.remove();
    }
  }, 60_000);
});
