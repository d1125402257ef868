import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultGenerationSettings, type Events, type GenerationSettings, type ReplySegment } from '../../src-main/api';
import { generateReply, InferenceEngine, promptTokens, replyFormat, type Turn } from '../../src-main/inference';
import { writeDemoModel } from '../../src-main/models';
import { probeAnswer, probeAnswerTokens, probeThought, probeThoughtTokens, thinkingProbeFile, thinkingProbeIn } from '../fixtures/probes';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { temporaryDir } from '../helpers/paths';

const greedy: GenerationSettings = { ...defaultGenerationSettings, temperature: 0, maxTokens: 64 };
const question: Turn[] = [{ role: 'user', content: 'What is the answer?' }];

describe('a reasoning model through the reply pipeline (Qwen3-shaped probe, real node-llama-cpp)', () => {
  const dir = temporaryDir();
  const engine = new InferenceEngine({ gpu: false, threads: 1 });
  beforeAll(async () => {
    await engine.load(thinkingProbeIn(dir.path));
  });
  afterAll(async () => {
    await engine.dispose();
    dir.remove();
  });

  const ask = (settings: Partial<GenerationSettings> = {}, turns: Turn[] = question, deltas: { segment: ReplySegment; delta: string; tokens: number }[] = []) =>
    engine.run(
      (run, signal) => generateReply(run, { systemPrompt: '', turns, settings: { ...greedy, ...settings }, onDelta: (delta, tokens, segment) => deltas.push({ segment, delta, tokens }) }, signal),
      { kind: 'chat' }
    );

  it('is known as a model whose thinking can be switched off', () => {
    expect(engine.loaded!.info).toMatchObject({ chatTemplate: 'Qwen', thinking: 'switchable' });
  });

  it('streams the thought, then the answer, and keeps them apart', async () => {
    const deltas: { segment: ReplySegment; delta: string; tokens: number }[] = [];
    const reply = await ask({}, question, deltas);
    expect(reply.thought).toBe(probeThought);
    expect(reply.text).toBe(probeAnswer);
    const firstAnswer = deltas.findIndex((delta) => delta.segment === 'answer');
    expect(firstAnswer).toBeGreaterThan(0);
    expect(deltas.slice(firstAnswer).every((delta) => delta.segment === 'answer')).toBe(true);
    expect(deltas.filter((delta) => delta.segment === 'thought').map((delta) => delta.delta).join('')).toBe(probeThought);
    expect(deltas.filter((delta) => delta.segment === 'answer').map((delta) => delta.delta).join('')).toBe(probeAnswer);
    // The token count rises with every delta, the thought's included.
    expect(deltas[0].tokens).toBeGreaterThan(0);
    expect(deltas.map((delta) => delta.tokens)).toEqual([...deltas.map((delta) => delta.tokens)].sort((a, b) => a - b));
  });

  it('counts and times the thought and the answer', async () => {
    const { metrics } = await ask();
    expect(metrics.thoughtTokens).toBe(probeThoughtTokens);
    expect(metrics.outputTokens).toBe(probeThoughtTokens + probeAnswerTokens);
    expect(metrics.stopReason).toBe('eos');
    expect(metrics.thinkingMs).not.toBeNull();
    expect(metrics.ttftMs).not.toBeNull();
    expect(metrics.ttfaMs!).toBeGreaterThanOrEqual(metrics.ttftMs! + metrics.thinkingMs!);
    expect(metrics.decodeTokensPerSecond).toBeGreaterThan(0);
  });

  it('with thinking off, prompts in the template form without thinking and answers at once', async () => {
    const session = engine.loaded!;
    const prompt = (thinking: boolean) =>
      session.model.detokenize(promptTokens(session.model, replyFormat(session, { settings: { ...greedy, thinking } }), '', question), true);
    // Qwen3's template with enable_thinking=false ends the prompt with an empty thought.
    expect(prompt(false)).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    expect(prompt(true)).toMatch(/<\|im_start\|>assistant\n$/);
    const reply = await ask({ thinking: false });
    expect(reply.thought).toBe('');
    expect(reply.text).toBe(probeAnswer);
    expect(reply.metrics.thoughtTokens).toBe(0);
    expect(reply.metrics.thinkingMs).toBeNull();
    expect(reply.metrics.ttfaMs).toBe(reply.metrics.ttftMs);
  });

  it('ends the thought at the thought budget, and the answer follows', async () => {
    const reply = await ask({ thoughtBudget: 4 });
    // The budget is the thought's own tokens; its opening and closing markers come on top.
    expect(reply.metrics.thoughtTokens).toBe(4 + 2);
    expect(reply.metrics.thoughtTokens).toBeLessThan(probeThoughtTokens);
    expect(probeThought.startsWith(reply.thought)).toBe(true);
    expect(reply.thought.length).toBeLessThan(probeThought.length);
    expect(reply.text).toBe(probeAnswer);
  });

  it('marks a reply whose max tokens ran out while thinking, and continues its thought', async () => {
    const cut = await ask({ maxTokens: 5 });
    expect(cut.metrics).toMatchObject({ stopReason: 'maxTokensInThought', outputTokens: 5, thoughtTokens: 5 });
    expect(cut.text).toBe('');
    expect(cut.thought).not.toBe('');
    expect(probeThought.startsWith(cut.thought)).toBe(true);

    const deltas: { segment: ReplySegment; delta: string; tokens: number }[] = [];
    const rest = await ask({}, [...question, { role: 'assistant', content: '', thought: { text: cut.thought, ended: false } }], deltas);
    expect(cut.thought + rest.thought).toBe(probeThought);
    expect(rest.text).toBe(probeAnswer);
    expect(rest.metrics.stopReason).toBe('eos');
    expect(deltas.filter((delta) => delta.segment === 'answer').map((delta) => delta.delta).join('')).toBe(probeAnswer);
  });

  it('never sends an earlier reply’s thought back to the model', () => {
    const session = engine.loaded!;
    const format = replyFormat(session, { settings: greedy });
    const turns: Turn[] = [...question, { role: 'assistant', content: probeAnswer }, { role: 'user', content: 'And again?' }];
    const text = session.model.detokenize(promptTokens(session.model, format, '', turns), true);
    expect(text).not.toContain('<think>');
    expect(text).toContain(`<|im_start|>assistant\n${probeAnswer}<|im_end|>`);
  });
});

describe('a model without thinking (the demo model, the control)', () => {
  const dir = temporaryDir();
  const engine = new InferenceEngine({ gpu: false, threads: 1 });
  beforeAll(async () => {
    const path = join(dir.path, 'demo.gguf');
    writeDemoModel(path);
    await engine.load(path);
  });
  afterAll(async () => {
    await engine.dispose();
    dir.remove();
  });

  it('has no thinking to switch, and thinking off changes nothing', async () => {
    const session = engine.loaded!;
    expect(session.info.thinking).toBe('none');
    const prompt = (thinking: boolean) => promptTokens(session.model, replyFormat(session, { settings: { ...greedy, thinking } }), '', question);
    expect(prompt(false)).toEqual(prompt(true));
    const reply = await engine.run((run, signal) => generateReply(run, { systemPrompt: '', turns: question, settings: { ...greedy, thinking: false } }, signal), { kind: 'chat' });
    expect(reply.thought).toBe('');
    expect(reply.metrics).toMatchObject({ thoughtTokens: 0, thinkingMs: null });
    expect(reply.metrics.ttfaMs).toBe(reply.metrics.ttftMs);
  });
});

describe('a reasoning model in the chat (router, SQLite, node-llama-cpp)', () => {
  let t: TestHearth;
  beforeEach(async () => {
    t = await startTestHearth();
    thinkingProbeIn(t.modelsDir);
  });
  afterEach(() => t.close());

  async function reply(settings: Partial<GenerationSettings> = {}) {
    const conversation = await t.call('conversations.create', { model: thinkingProbeFile, settings: { temperature: 0, ...settings } });
    const ended = t.nextEvent('chat.end', (end) => end.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'What is the answer?' });
    return { conversation, message: (await ended).message };
  }

  const deltasOf = (messageId: number) =>
    t.events.filter((event) => event.name === 'chat.delta' && (event.payload as Events['chat.delta']).messageId === messageId).map((event) => event.payload as Events['chat.delta']);

  it('streams the thought as its own segment, then stores it beside the answer with figures for both', async () => {
    const { conversation, message } = await reply();
    expect(message).toMatchObject({ thought: probeThought, content: probeAnswer, status: 'complete' });
    expect(message.metrics).toMatchObject({ thoughtTokens: probeThoughtTokens, outputTokens: probeThoughtTokens + probeAnswerTokens, stopReason: 'eos' });
    const deltas = deltasOf(message.id);
    expect(deltas[0].segment).toBe('thought');
    expect(deltas.filter((delta) => delta.segment === 'thought').map((delta) => delta.delta).join('')).toBe(probeThought);
    expect(deltas.filter((delta) => delta.segment === 'answer').map((delta) => delta.delta).join('')).toBe(probeAnswer);
    expect(deltas.findIndex((delta) => delta.segment === 'answer')).toBeGreaterThan(deltas.findLastIndex((delta) => delta.segment === 'thought'));
    const stored = await t.call('conversations.get', { id: conversation.id });
    expect(stored.messages[1]).toEqual(message);
  });

  it('exports the thought and imports it back identical; Markdown marks it as thinking', async () => {
    const { conversation, message } = await reply();
    const json = await t.call('conversations.export', { id: conversation.id, format: 'json' });
    expect(JSON.parse(json.content).messages[1]).toMatchObject({ content: probeAnswer, thought: probeThought });
    const imported = await t.call('conversations.import', { content: json.content });
    const copy = await t.call('conversations.get', { id: imported.id });
    expect(copy.messages[1]).toMatchObject({ content: message.content, thought: message.thought, metrics: message.metrics });
    const markdown = await t.call('conversations.export', { id: conversation.id, format: 'markdown' });
    expect(markdown.content).toContain(`## Assistant\n\n> **Thinking**\n>\n> ${probeThought}\n\n${probeAnswer}`);
  });

  it('searches answers only, unless the user asks for thoughts too', async () => {
    const { message } = await reply();
    expect(await t.call('history.search', { query: 'wants' })).toEqual([]);
    expect(await t.call('settings.setHistory', { settings: { searchThoughts: true } })).toEqual({ searchThoughts: true });
    expect(await t.call('history.search', { query: 'wants' })).toMatchObject([{ messageId: message.id, inThought: true }]);
    expect(await t.call('history.search', { query: '42' })).toMatchObject([{ messageId: message.id, inThought: false }]);
  });

  it('marks a reply cut while thinking, and Continue resumes the thought and gives the answer', async () => {
    const { conversation, message } = await reply({ maxTokens: 5 });
    expect(message).toMatchObject({ content: '', status: 'complete', metrics: { stopReason: 'maxTokensInThought', outputTokens: 5 } });
    expect(message.thought).not.toBe('');
    await t.call('conversations.update', { id: conversation.id, settings: { maxTokens: 64 } });
    const ended = t.nextEvent('chat.end', (end) => end.message.id === message.id);
    await t.call('chat.continue', { conversationId: conversation.id, messageId: message.id });
    expect((await ended).message).toMatchObject({ thought: probeThought, content: probeAnswer, status: 'complete', metrics: { stopReason: 'eos' } });
  });

  it('never sends an earlier thought back, and with thinking off prompts the template’s no-thinking form', async () => {
    const { conversation } = await reply();
    const next = await t.call('chat.context', { conversationId: conversation.id, draft: 'And again?' });
    expect(next.promptText).toContain(`<|im_start|>assistant\n${probeAnswer}<|im_end|>`);
    expect(next.promptText).not.toContain('wants');
    await t.call('conversations.update', { id: conversation.id, settings: { thinking: false } });
    const off = await t.call('chat.context', { conversationId: conversation.id, draft: 'And again?' });
    expect(off.promptText).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    const ended = t.nextEvent('chat.end', (end) => end.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'And again?' });
    expect((await ended).message).toMatchObject({ thought: '', content: probeAnswer, metrics: { thoughtTokens: 0 } });
  });

  it('keeps thoughts per alternative when a reply is regenerated', async () => {
    const { conversation, message } = await reply();
    const ended = t.nextEvent('chat.end', (end) => end.message.id !== message.id);
    await t.call('chat.regenerate', { conversationId: conversation.id, messageId: message.id });
    const again = (await ended).message;
    expect(again).toMatchObject({ thought: probeThought, content: probeAnswer, siblingIds: [message.id, again.id] });
    expect((await t.call('messages.select', { conversationId: conversation.id, messageId: message.id })).messages[1]).toMatchObject({ id: message.id, thought: probeThought });
  });
});
