import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ConversationWithMessages, EngineStatus, Message } from '../../src-main/api';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * A reply is busy from the moment `chat.send` is accepted until its message is finished: through the
 * model's load, the draft model's, and the generation. Run against `hearth serve` in its own process,
 * so a crash would show as a dead server, not a failed assertion in this one.
 */
describe('the life of a reply (built CLI, real process)', () => {
  const dir = temporaryDir();
  let server: ServerProcess;
  let apiUrl: string;

  const raw = async (method: string, input: unknown = {}): Promise<Envelope> => {
    const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, body: JSON.stringify(input) });
    return (await response.json()) as Envelope;
  };
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const envelope = await raw(method, input);
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`);
    return envelope.result as T;
  };
  const messagesOf = async (id: number) => (await call<ConversationWithMessages>('conversations.get', { id })).messages;
  /** Polls until the conversation's last reply is no longer streaming (HTTP only: no event stream needed). */
  const finished = async (id: number): Promise<Message> => {
    for (let waited = 0; waited < 30_000; waited += 50) {
      const last = (await messagesOf(id)).at(-1);
      if (last && last.role === 'assistant' && last.status !== 'streaming') return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the reply never finished');
  };

  /**
   * Holds the engine with another model: a streamed /v1 completion on `other.gguf` (stories260K never
   * ends a story by itself), so a chat on stories260K must wait for its load until `release`.
   */
  async function holdEngineWithOtherModel(): Promise<{ release(): Promise<void> }> {
    const controller = new AbortController();
    const response = await fetch(`${apiUrl}/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'other.gguf', prompt: 'Once upon a time', max_tokens: 4000, temperature: 0, stream: true }),
      signal: controller.signal
    });
    const reader = response.body!.getReader();
    await reader.read();
    return {
      async release() {
        controller.abort();
        await reader.cancel().catch(() => undefined);
      }
    };
  }

  beforeAll(async () => {
    ({ server, baseURL: apiUrl } = await startApiProcess(dir.path, [stories260K], [], (modelsDir) => {
      for (const name of ['other.gguf', 'draft.gguf']) copyFileSync(stories260K, join(modelsDir, name));
    }));
  });
  afterAll(async () => {
    await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  const newChat = (settings: Record<string, unknown> = {}) => call<Conversation>('conversations.create', { model: 'stories260K.gguf', settings: { temperature: 0, maxTokens: 24, ...settings } });

  it('while its model loads: deleting earlier messages is refused, a rename is kept, and the reply then runs', async () => {
    const conversation = await newChat();
    const first = await call<{ userMessage: Message }>('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await finished(conversation.id);

    const hold = await holdEngineWithOtherModel();
    const sending = raw('chat.send', { conversationId: conversation.id, content: 'The end' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call<EngineStatus>('engine.status')).model?.name).toBe('other.gguf');
    expect(await raw('messages.delete', { conversationId: conversation.id, messageId: first.userMessage.id })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await raw('chat.send', { conversationId: conversation.id, content: 'Again' })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await call('conversations.update', { id: conversation.id, title: 'My own title' });
    await hold.release();

    expect(await sending).toMatchObject({ ok: true });
    expect((await finished(conversation.id)).status).toBe('complete');
    expect((await call<ConversationWithMessages>('conversations.get', { id: conversation.id })).conversation.title).toBe('My own title');
    // Free again once the reply is stored.
    expect(await raw('messages.delete', { conversationId: conversation.id, messageId: first.userMessage.id })).toMatchObject({ ok: true });
  });

  it('while it generates: deleting its own message is refused until it has ended', async () => {
    const conversation = await newChat({ maxTokens: 4000, stopAtEos: false });
    const { userMessage } = await call<{ userMessage: Message }>('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    expect(await raw('messages.delete', { conversationId: conversation.id, messageId: userMessage.id })).toMatchObject({ ok: false, error: { code: 'BUSY', message: expect.stringMatching(/stop it before deleting/) } });
    await call('chat.stop', { conversationId: conversation.id });
    expect((await finished(conversation.id)).metrics?.stopReason).toBe('abort');
    expect(await raw('messages.delete', { conversationId: conversation.id, messageId: userMessage.id })).toMatchObject({ ok: true });
    expect(await messagesOf(conversation.id)).toEqual([]);
  });

  it('with a draft model: deleting the message right after chat.send answers is refused, and the reply completes', async () => {
    const conversation = await newChat({ drafting: { kind: 'model', name: 'draft.gguf' } });
    const { userMessage } = await call<{ userMessage: Message }>('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    expect(await raw('messages.delete', { conversationId: conversation.id, messageId: userMessage.id })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    const reply = await finished(conversation.id);
    expect(reply).toMatchObject({ status: 'complete', metrics: { speculation: { kind: 'model', draftModel: 'draft.gguf' }, thoughtTokens: 0 } });
  });

  it('deleting the conversation while its model loads writes nothing: after Undo no reply is left streaming', async () => {
    const conversation = await newChat();
    const hold = await holdEngineWithOtherModel();
    const sending = raw('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call('conversations.delete', { id: conversation.id });
    await hold.release();
    expect(await sending).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await call('conversations.restore', { id: conversation.id });
    expect(await messagesOf(conversation.id)).toEqual([]);
    // The conversation is free: a new message is answered.
    await call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    expect((await finished(conversation.id)).status).toBe('complete');
  });

  it('deleting the conversation while it generates stops the reply: Undo finds what it wrote, finished', async () => {
    const conversation = await newChat({ maxTokens: 4000, stopAtEos: false });
    await call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await call('conversations.delete', { id: conversation.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call('conversations.restore', { id: conversation.id });
    const reply = await finished(conversation.id);
    expect(reply.status).toBe('complete');
    expect(reply.metrics?.stopReason).toBe('abort');
  });

  it('a running benchmark holds the engine: a reply is refused with the reason, and the chat model is loaded again after', async () => {
    const conversation = await newChat();
    await call('engine.load', { model: 'stories260K.gguf' });
    const benchmark = raw('bench.run', { model: 'other.gguf', promptTokens: 256, genTokens: 1024, reps: 3, batch: [1, 2] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await raw('chat.send', { conversationId: conversation.id, content: 'Once upon a time' })).toMatchObject({
      ok: false,
      error: { code: 'BUSY', message: expect.stringMatching(/benchmark of other\.gguf is running/) }
    });
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(await benchmark).toMatchObject({ ok: true });
    expect(await call<EngineStatus>('engine.status')).toMatchObject({ state: 'ready', model: { name: 'stories260K.gguf' } });
  });

  it('is still serving, and never logged an unhandled error', async () => {
    expect(await call<{ name: string }>('app.info')).toMatchObject({ name: 'Hearth' });
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/TypeError|Unhandled|uncaught/i);
  });
});
