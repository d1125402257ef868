import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, ConversationWithMessages, Message } from '../../src-main/api';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startServerProcess, type ServerProcess } from '../helpers/server-process';

describe('a server killed mid-reply (built CLI, real process)', () => {
  const dir = temporaryDir();
  const dataDir = join(dir.path, 'data');
  const modelsDir = join(dir.path, 'models');
  mkdirSync(modelsDir, { recursive: true });
  copyFileSync(stories260K, join(modelsDir, 'stories260K.gguf'));
  const args = ['--data-dir', dataDir, '--models-dir', modelsDir];
  let server: ServerProcess | null = null;

  afterEach(async () => {
    if (server) await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  it('keeps the conversation and the partial reply, marked interrupted, with the database intact', async () => {
    server = await startServerProcess(args);
    const conversation = await server.call<Conversation>('conversations.create', {
      modelPath: 'stories260K.gguf',
      settings: { temperature: 0.9, maxTokens: 100_000 }
    });
    const sent = await server.call<{ assistantMessage: Message }>('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await killed(server.child, 'SIGKILL');

    server = await startServerProcess(args);
    const stored = await server.call<ConversationWithMessages>('conversations.get', { id: conversation.id });
    expect(stored.conversation.title).toBe('Once upon a time');
    const reply = stored.messages.find((message) => message.id === sent.assistantMessage.id)!;
    expect(reply.status).toBe('interrupted');
    expect(reply.content.length).toBeGreaterThan(20);

    const db = new Database(join(dataDir, 'history.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
