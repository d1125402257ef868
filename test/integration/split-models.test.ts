import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSplitGguf } from '../helpers/gguf-split';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K, temporaryDir } from '../helpers/paths';

const first = 'stories-split-00001-of-00003.gguf';

describe('a split model (llama.cpp split layout) made from stories260K', () => {
  const outside = temporaryDir();
  let t: TestHearth;
  let parts: string[];
  beforeAll(async () => {
    parts = writeSplitGguf(stories260K, 3, (part) => join(outside.path, `stories-split-0000${part}-of-00003.gguf`));
    t = await startTestHearth();
  });
  afterAll(async () => {
    await t.close();
    outside.remove();
  });

  it('imports every part when given the first, lists them as one model of their total size, and generates what the whole model does', async () => {
    const imported = await t.call('models.import', { path: parts[0] });
    const total = parts.reduce((sum, path) => sum + statSync(path).size, 0);
    expect(imported).toMatchObject({ name: first, parts: 3, sizeBytes: total, usable: true, architecture: 'llama' });
    for (const part of parts) expect(existsSync(join(t.modelsDir, part.slice(outside.path.length + 1)))).toBe(true);
    const listed = (await t.call('models.list')).map((model) => [model.name, model.parts]);
    expect(listed).toEqual([
      [first, 3],
      ['stories260K.gguf', 1]
    ]);

    // node-llama-cpp is given the first part; llama.cpp finds the others by name (split.no, split.count).
    const reply = async (model: string) => {
      const conversation = await t.call('conversations.create', { model, settings: { temperature: 0, maxTokens: 24 } });
      const ended = t.nextEvent('chat.end', (payload) => payload.conversationId === conversation.id);
      await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
      return (await ended).message.content;
    };
    const fromSplit = await reply(first);
    expect(fromSplit.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(fromSplit).toBe(await reply('stories260K.gguf'));
  });

  it('refuses to import a part other than the first, and a set with a part missing', async () => {
    await expect(t.call('models.import', { path: parts[1] })).rejects.toThrow(/first part/);
    const incomplete = join(outside.path, 'incomplete');
    mkdirSync(incomplete);
    const [firstOfTwo] = writeSplitGguf(stories260K, 2, (part) => join(incomplete, `gap-0000${part}-of-00002.gguf`));
    rmSync(join(incomplete, 'gap-00002-of-00002.gguf'));
    await expect(t.call('models.import', { path: firstOfTwo })).rejects.toThrow(/1 of 2 parts/);
    expect(existsSync(join(t.modelsDir, 'gap-00001-of-00002.gguf'))).toBe(false);
  });

  it('deletes every part together', async () => {
    const deleted = await t.call('models.delete', { model: first });
    expect(deleted.freedBytes).toBe(parts.reduce((sum, path) => sum + statSync(path).size, 0));
    for (const part of [1, 2, 3]) expect(existsSync(join(t.modelsDir, `stories-split-0000${part}-of-00003.gguf`))).toBe(false);
  });
});
