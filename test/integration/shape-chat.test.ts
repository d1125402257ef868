import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapes, writeSparseShapeFixture } from '../../src-main/models';
import { startTestHearth, type TestHearth } from '../helpers/hearth';

/**
 * A one-layer Llama-3.2-1B shape with zero weights: every logit is equal, so greedy decoding picks
 * token 0, and the fixture's vocabulary makes that a character that tokenizes back to itself.
 */
describe('a zero-weight Llama 3.2 1B shape through the app (real node-llama-cpp)', () => {
  let t: TestHearth;
  const model = 'llama32-1b-1-layer.gguf';
  beforeAll(async () => {
    t = await startTestHearth();
    writeSparseShapeFixture(join(t.modelsDir, model), { ...shapes.llama32_1b, layers: 1 });
    await t.call('engine.load', { model, contextSize: 1024 });
  });
  afterAll(() => t.close());

  async function reply(conversationId: number, content: string) {
    const ended = t.nextEvent('chat.end', (event) => event.conversationId === conversationId);
    await t.call('chat.send', { conversationId, content });
    return (await ended).message;
  }

  it("chats in Llama 3's template with its special tokens, and the next turn evaluates only the new message and its turn markers", async () => {
    const conversation = await t.call('conversations.create', { model, settings: { temperature: 0, maxTokens: 8, stopAtEos: false } });
    const first = await reply(conversation.id, 'Tell me a story.');
    expect(first).toMatchObject({ status: 'complete', content: '!'.repeat(8), metrics: { chatTemplate: expect.stringMatching(/^Llama 3/), outputTokens: 8 } });
    const context = await t.call('chat.context', { conversationId: conversation.id });
    expect(context.promptText).toMatch(/^<\|begin_of_text\|><\|start_header_id\|>/);
    // The reply as the next prompt renders it is the tokens that were generated.
    expect(context.promptTokens - first.metrics!.promptTokens).toBe(8);
    const next = await t.call('chat.context', { conversationId: conversation.id, draft: 'And then?' });
    const second = await reply(conversation.id, 'And then?');
    expect(second.metrics).toMatchObject({ promptTokens: next.promptTokens, prefillTokens: next.promptTokens - context.promptTokens });
  });
});
