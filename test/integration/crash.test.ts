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

  it('keeps every conversation and partial reply, marked interrupted, with the database intact, across 20 kills', async () => {
    const kills = 20;
    const before: { conversationId: number; replyId: number; content: string }[] = [];
    for (let round = 1; round <= kills; round++) {
      server = await startServerProcess(args);
      // What earlier rounds left is all there, as it was when the process died.
      for (const earlier of before) {
        const stored = await server.call<ConversationWithMessages>('conversations.get', { id: earlier.conversationId });
        const reply = stored.messages.find((message) => message.id === earlier.replyId)!;
        expect({ round, status: reply.status }).toEqual({ round, status: 'interrupted' });
        expect(reply.content.startsWith(earlier.content)).toBe(true);
      }
      const conversation = await server.call<Conversation>('conversations.create', {
        model: 'stories260K.gguf',
        settings: { temperature: 0.9, maxTokens: 100_000, stopAtEos: false }
      });
      const sent = await server.call<{ assistantMessage: Message }>('chat.send', { conversationId: conversation.id, content: `Once upon a time ${round}` });
      // Kill once some of the reply has been written (streaming writes land every 250 ms).
      let written = '';
      for (let waited = 0; written.length < 20 && waited < 10_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        written = (await server.call<ConversationWithMessages>('conversations.get', { id: conversation.id })).messages.find((message) => message.id === sent.assistantMessage.id)!.content;
      }
      await killed(server.child, 'SIGKILL');
      server = null;
      expect(written.length).toBeGreaterThan(20);
      before.push({ conversationId: conversation.id, replyId: sent.assistantMessage.id, content: written });

      const db = new Database(join(dataDir, 'history.sqlite'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    }
    server = await startServerProcess(args);
    const titles = (await server.call<Conversation[]>('conversations.list')).map((conversation) => conversation.title);
    expect(titles).toHaveLength(kills);
  }, 240_000);
});
