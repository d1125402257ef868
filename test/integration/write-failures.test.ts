import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ConversationWithMessages, Message } from '../../src-main/api';
import { startHttpServer, type RunningServer } from '../../src-main/server';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startServerProcess } from '../helpers/server-process';

const longReply = { temperature: 0, maxTokens: 100_000, stopAtEos: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Mounts a small tmpfs at `dir`; the reason it could not, when it could not (not root, no mount). */
function mountSmallDisk(dir: string, size: string): string | null {
  mkdirSync(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  return mounted.status === 0 ? null : `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'unknown').trim()})`;
}

describe('a history write that fails while a reply streams (SQLITE_BUSY from another program)', () => {
  let t: TestHearth;
  beforeAll(async () => {
    t = await startTestHearth();
  });
  afterAll(() => t.close());

  const file = () => join(t.dataDir, 'history.sqlite');
  const start = async () => {
    const conversation = (await t.call('conversations.create', { model: 'stories260K.gguf', settings: longReply })) as Conversation;
    const firstDelta = t.nextEvent('chat.delta', (payload) => payload.conversationId === conversation.id);
    const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    await firstDelta;
    return { conversation, ended };
  };

  it('keeps streaming when the lock is held briefly: the failed write is tried again and the whole text lands', async () => {
    const { conversation, ended } = await start();
    const other = new Database(file());
    other.exec('BEGIN IMMEDIATE');
    await sleep(1_500);
    other.exec('ROLLBACK');
    other.close();
    expect((await t.call('app.info')).name).toBe('Hearth');
    await sleep(300);
    await t.call('chat.stop', { conversationId: conversation.id });
    const { message } = (await ended) as { message: Message };
    expect(message).toMatchObject({ status: 'complete', metrics: { stopReason: 'abort' } });
    const stored = (await t.call('conversations.get', { id: conversation.id })) as ConversationWithMessages;
    expect(stored.messages.at(-1)?.content).toBe(message.content);
  });

  it('stops the reply when writes keep failing, keeps its text in memory, and writes it once the lock is gone', async () => {
    const { conversation, ended } = await start();
    const other = new Database(file());
    other.exec('BEGIN IMMEDIATE');
    try {
      const { message } = (await ended) as { message: Message };
      expect(message.status).toBe('error');
      expect(message.error).toMatch(/Not saved yet/);
      expect(message.content.length).toBeGreaterThan(0);
      // The server keeps answering, and shows the reply with the text it kept.
      const shown = (await t.call('conversations.get', { id: conversation.id })) as ConversationWithMessages;
      expect(shown.messages.at(-1)).toMatchObject({ content: message.content, status: 'error' });
      const saved = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
      other.exec('ROLLBACK');
      const { message: stored } = (await saved) as { message: Message };
      expect(stored.content).toBe(message.content);
      expect(stored.error).toMatch(/could not be saved/);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    const reread = new Database(file(), { readonly: true });
    const onDisk = reread.prepare('SELECT content FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1').pluck().get(conversation.id) as string;
    reread.close();
    const shown = (await t.call('conversations.get', { id: conversation.id })) as ConversationWithMessages;
    expect(onDisk).toBe(shown.messages.at(-1)?.content);
    // Another program holding the lock makes a write answer BUSY with a retry hint, not a crash.
    const holder = new Database(file());
    holder.exec('BEGIN IMMEDIATE');
    try {
      expect(await t.raw('conversations.create', { title: 'while locked' })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

describe('a disk that fills up while a reply streams (tmpfs, built CLI, real process)', () => {
  const dir = temporaryDir();
  const dataDir = join(dir.path, 'data');
  const unmounted = mountSmallDisk(dataDir, '6m');
  afterAll(() => {
    if (!unmounted) spawnSync('umount', ['-l', dataDir]);
    dir.remove();
  });

  it.skipIf(unmounted !== null)(`keeps serving, keeps the reply's text, and writes it once there is room again${unmounted ? ` — skipped: ${unmounted}` : ''}`, async () => {
    const modelsDir = join(dir.path, 'models');
    mkdirSync(modelsDir);
    copyFileSync(stories260K, join(modelsDir, 'stories260K.gguf'));
    const server = await startServerProcess(['--data-dir', dataDir, '--models-dir', modelsDir], { HEARTH_GPU: 'cpu' });
    try {
      const conversation = await server.call<Conversation>('conversations.create', { model: 'stories260K.gguf', settings: longReply });
      await server.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
      await sleep(500);
      // Fill what is left of the disk.
      const filler = join(dataDir, 'filler');
      const free = statfsSync(dataDir).bavail * statfsSync(dataDir).bsize;
      try {
        writeFileSync(filler, Buffer.alloc(free));
      } catch {
        /* full: that was the point */
      }
      let reply: Message | undefined;
      for (let waited = 0; waited < 20_000; waited += 200) {
        reply = (await server.call<ConversationWithMessages>('conversations.get', { id: conversation.id })).messages.at(-1);
        if (reply?.status !== 'streaming') break;
        await sleep(200);
      }
      expect(reply).toMatchObject({ status: 'error', error: expect.stringMatching(/Not saved yet|full/) });
      expect(reply!.content.length).toBeGreaterThan(0);
      expect(await server.call<{ name: string }>('app.info')).toMatchObject({ name: 'Hearth' });
      // A write that cannot happen answers DISK_FULL (507), not INTERNAL.
      const response = await fetch(`${server.url}/api/conversations.create`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, body: JSON.stringify({ title: 'no room' }) });
      expect(response.status).toBe(507);
      rmSync(filler);
      let stored: Message | undefined;
      for (let waited = 0; waited < 10_000; waited += 200) {
        stored = (await server.call<ConversationWithMessages>('conversations.get', { id: conversation.id })).messages.at(-1);
        if (stored && !/Not saved yet/.test(stored.error ?? '')) break;
        await sleep(200);
      }
      expect(stored?.content).toBe(reply!.content);
      await killed(server.child, 'SIGTERM');
      const db = new Database(join(dataDir, 'history.sqlite'), { readonly: true });
      const onDisk = db.prepare('SELECT content FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1').pluck().get(conversation.id);
      db.close();
      expect(onDisk).toBe(reply!.content);
      expect(server.output()).not.toMatch(/TypeError|Unhandled/);
    } finally {
      await killed(server.child, 'SIGKILL');
    }
  });

  it.skipIf(unmounted !== null)('names the path and the reason when the data folder is read-only', () => {
    const readOnly = join(dir.path, 'read-only');
    const reason = mountSmallDisk(readOnly, '1m');
    expect(reason).toBeNull();
    try {
      execFileSync('mount', ['-o', 'remount,ro', readOnly]);
      const run = spawnSync(process.execPath, [join(__dirname, '../../out/main/cli.js'), 'serve', '--port', '0', '--data-dir', readOnly, '--models-dir', join(dir.path, 'models')], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(readOnly);
      expect(run.stderr).toMatch(/read-only|EROFS|permission/i);
    } finally {
      spawnSync('umount', ['-l', readOnly]);
    }
  });
});

describe('work that could freeze the server (in-process HTTP server)', () => {
  let t: TestHearth;
  let server: RunningServer;
  const token = 'import-test-token-with-enough-characters';
  const call = async (method: string, input: unknown = {}) => {
    const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
    return (await response.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
  };
  beforeAll(async () => {
    t = await startTestHearth();
    server = await startHttpServer({ router: t.hearth.router, events: t.hearth.events, staticDir: null, token });
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  const at = Date.UTC(2025, 5, 1);
  /** One question and `alternatives` replies to it, each about `replyChars` long. */
  const exportWith = (alternatives: number, replyChars: number) =>
    JSON.stringify({
      format: 'hearth.conversation',
      version: 1,
      conversation: { title: `${alternatives} alternatives`, model: null, systemPrompt: '', createdAt: at, updatedAt: at },
      messages: [
        { role: 'user', content: 'Tell me a story.', status: 'complete', createdAt: at, parent: null },
        ...Array.from({ length: alternatives }, (_, index) => ({ role: 'assistant', content: `Story ${index}: ${'once upon a time '.repeat(Math.ceil(replyChars / 17))}`.slice(0, replyChars), status: 'complete', createdAt: at + index, parent: 0 }))
      ]
    });

  it('imports a 45 MB file while another client\'s requests keep completing, and opens its 20,000 alternatives quickly', async () => {
    const content = exportWith(20_000, 2_250);
    expect(content.length).toBeGreaterThan(45_000_000);
    const completions: number[] = [];
    let importing = true;
    const importStarted = performance.now();
    const imported = call('conversations.import', { content }).finally(() => (importing = false));
    while (importing) {
      const sent = performance.now();
      await call('app.info');
      completions.push(performance.now() - sent);
      await sleep(10);
    }
    const result = await imported;
    const importMs = performance.now() - importStarted;
    expect(result.ok).toBe(true);
    // Requests were answered all through the import, not once at its end.
    expect(completions.length).toBeGreaterThan(5);
    expect(Math.max(...completions)).toBeLessThan(importMs / 2);

    const id = (result.result as Conversation).id;
    const opened = performance.now();
    const shown = (await call('conversations.get', { id })).result as ConversationWithMessages;
    // Linear in the messages: about 0.2 s here; the quadratic version took 32 s.
    expect(performance.now() - opened).toBeLessThan(5_000);
    expect(shown.messages).toHaveLength(2);
    expect(shown.messages[1].siblingIds).toHaveLength(20_000);
  });

  it('refuses an import with impossible values, saying which, and stores nothing', async () => {
    const before = ((await call('conversations.list')).result as Conversation[]).length;
    const valid = JSON.parse(exportWith(1, 100));
    const dated = structuredClone(valid);
    dated.messages[1].createdAt = 1e20;
    const negative = structuredClone(valid);
    negative.messages[1].metrics = { model: 'm.gguf', quantization: null, chatTemplate: 't', promptTokens: 1, prefillTokens: 1, outputTokens: -5, ttftMs: 1, prefillTokensPerSecond: 1, decodeTokensPerSecond: 1, totalMs: 1, stopReason: 'eos', settings: undefined, threads: 1 };
    for (const [bad, field] of [[dated, 'messages.1.createdAt'], [negative, 'messages.1.metrics']] as const) {
      const refused = await call('conversations.import', { content: JSON.stringify(bad) });
      expect(refused).toMatchObject({ ok: false, error: { code: 'IMPORT_INVALID', message: expect.stringContaining(field) } });
    }
    expect(((await call('conversations.list')).result as Conversation[]).length).toBe(before);
    expect((await call('dashboard.exportCsv', {})).ok).toBe(true);
  });

  it('refuses a readable file that is not a GGUF without repeating what it holds', async () => {
    const secret = join(t.dataDir, 'passwd-like.gguf');
    writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    const refused = await call('models.import', { path: secret });
    expect(refused).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID', message: expect.stringMatching(/not a GGUF file/) } });
    expect(refused.error!.message).not.toMatch(/root/);
  });
});
