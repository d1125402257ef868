import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteModelName, type Message } from '../../src-main/api';
import { probeAnswer, probeAnswerTokens, probeThought, probeThoughtTokens, thinkingProbeFile, thinkingProbeIn } from '../fixtures/probes';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';

const model = thinkingProbeFile;
const question = [{ role: 'user' as const, content: 'What is the answer?' }];

/** The field llama.cpp's server, LM Studio and DeepSeek's API add; the openai client passes it through untyped. */
type WithReasoning<T> = T & { reasoning_content?: string | null };

/** The request fields beyond OpenAI's own that Hearth reads (llama.cpp's and vLLM's extension). */
type WithTemplateKwargs = OpenAI.ChatCompletionCreateParamsNonStreaming & { chat_template_kwargs?: Record<string, unknown> };

describe('a reasoning model on /v1, through the official openai client', () => {
  const dir = temporaryDir();
  let server: ServerProcess;
  let client: OpenAI;
  beforeAll(async () => {
    ({ server, client } = await startApiProcess(dir.path, [stories260K], [], (modelsDir) => thinkingProbeIn(modelsDir)));
  });
  afterAll(async () => {
    await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  it('returns the thought as reasoning_content and the answer as content, and counts both in usage', async () => {
    const completion = await client.chat.completions.create({ model, messages: question, temperature: 0 });
    const message = completion.choices[0].message as WithReasoning<OpenAI.ChatCompletionMessage>;
    expect(message.content).toBe(probeAnswer);
    expect(message.reasoning_content).toBe(probeThought);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      completion_tokens: probeThoughtTokens + probeAnswerTokens,
      completion_tokens_details: { reasoning_tokens: probeThoughtTokens }
    });
  });

  it('streams the thought in reasoning_content deltas before the answer in content deltas', async () => {
    const stream = await client.chat.completions.create({ model, messages: question, temperature: 0, stream: true, stream_options: { include_usage: true } });
    const order: ('thought' | 'answer')[] = [];
    let thought = '';
    let answer = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as WithReasoning<OpenAI.ChatCompletionChunk.Choice.Delta> | undefined;
      if (delta?.reasoning_content) {
        thought += delta.reasoning_content;
        order.push('thought');
      }
      if (delta?.content) {
        answer += delta.content;
        order.push('answer');
      }
      usage = chunk.usage ?? usage;
    }
    expect(thought).toBe(probeThought);
    expect(answer).toBe(probeAnswer);
    expect(order.indexOf('answer')).toBe(order.lastIndexOf('thought') + 1);
    expect(usage).toMatchObject({ completion_tokens: probeThoughtTokens + probeAnswerTokens, completion_tokens_details: { reasoning_tokens: probeThoughtTokens } });
  });

  it('switches thinking off with reasoning_effort "none" or enable_thinking false, and budgets it with reasoning_effort', async () => {
    for (const request of [{ reasoning_effort: 'none' as const }, { chat_template_kwargs: { enable_thinking: false } }]) {
      const completion = await client.chat.completions.create({ model, messages: question, temperature: 0, ...request } as WithTemplateKwargs);
      const message = completion.choices[0].message as WithReasoning<OpenAI.ChatCompletionMessage>;
      expect(message.content).toBe(probeAnswer);
      expect(message.reasoning_content).toBeUndefined();
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    }
    // The probe's thought is far shorter than the smallest budget: budgeted, it thinks as usual.
    const low = await client.chat.completions.create({ model, messages: question, temperature: 0, reasoning_effort: 'low' });
    expect((low.choices[0].message as WithReasoning<OpenAI.ChatCompletionMessage>).reasoning_content).toBe(probeThought);
  });

  it('refuses what it cannot honour with a 400 that says why', async () => {
    const refused = (request: Record<string, unknown>) =>
      client.chat.completions.create({ model, messages: question, ...request } as WithTemplateKwargs).then(
        () => null,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>
      );
    const unknownKwarg = await refused({ chat_template_kwargs: { add_vision_id: true } });
    expect(unknownKwarg).toMatchObject({ status: 400, message: expect.stringMatching(/add_vision_id.*only enable_thinking/) });
    const contradiction = await refused({ reasoning_effort: 'none', chat_template_kwargs: { enable_thinking: true } });
    expect(contradiction).toMatchObject({ status: 400, message: expect.stringMatching(/contradict/) });
    const unknownEffort = await refused({ reasoning_effort: 'extreme' });
    expect(unknownEffort).toMatchObject({ status: 400, message: expect.stringMatching(/reasoning_effort/) });
    // Log probabilities come from a token-by-token path without thought segments: asked of a thinking model, a 400 says so.
    const thinkingLogprobs = await refused({ logprobs: true });
    expect(thinkingLogprobs).toMatchObject({ status: 400, message: expect.stringMatching(/not available while a model thinks/) });
    const withoutThinking = await client.chat.completions.create({ model, messages: question, temperature: 0, logprobs: true, reasoning_effort: 'none' });
    expect(withoutThinking.choices[0].message.content).toBe(probeAnswer);
    expect(withoutThinking.choices[0].logprobs!.content!.length).toBeGreaterThan(0);
  });

  it('drops a thought a client sends back, in the content or as reasoning_content, as the model’s template would', async () => {
    const ask = (assistant: Record<string, unknown>) =>
      client.chat.completions.create({
        model,
        temperature: 0,
        max_tokens: 1,
        messages: [...question, { role: 'assistant', ...assistant } as OpenAI.ChatCompletionAssistantMessageParam, { role: 'user', content: 'And again?' }]
      });
    const plain = await ask({ content: probeAnswer });
    const thinkBlock = await ask({ content: `<think>\n${probeThought.repeat(8)}\n</think>\n\n${probeAnswer}` });
    const r1Style = await ask({ content: `${probeThought}\n</think>\n\n${probeAnswer}` });
    const separate = await ask({ content: probeAnswer, reasoning_content: probeThought.repeat(8) });
    for (const reply of [thinkBlock, r1Style, separate]) expect(reply.usage?.prompt_tokens).toBe(plain.usage?.prompt_tokens);
  });
});

describe('a remote engine that thinks: a second Hearth serving the probe', () => {
  const dir = temporaryDir();
  const key = 'remote-thinking-key';
  let remote: ServerProcess;
  let t: TestHearth;
  let engineId: number;
  beforeAll(async () => {
    const started = await startApiProcess(join(dir.path, 'remote'), [], ['--api-key', key], (modelsDir) => thinkingProbeIn(modelsDir));
    remote = started.server;
    t = await startTestHearth();
    engineId = (await t.call('remotes.add', { name: 'Thinker', baseUrl: started.baseURL, apiKey: key })).id;
  });
  afterAll(async () => {
    await t.close();
    await killed(remote.child, 'SIGTERM');
    dir.remove();
  });

  async function reply(settings: Record<string, unknown> = {}): Promise<Message> {
    const conversation = await t.call('conversations.create', { model: remoteModelName(engineId, model), settings: { temperature: 0, ...settings } });
    const ended = t.nextEvent('chat.end', (end) => end.conversationId === conversation.id);
    await t.call('chat.send', { conversationId: conversation.id, content: 'What is the answer?' });
    return (await ended).message;
  }

  it('keeps the thought apart from the answer, counted and timed like a local one', async () => {
    const message = await reply();
    expect(message).toMatchObject({ thought: probeThought, content: probeAnswer, status: 'complete' });
    expect(message.metrics).toMatchObject({ outputTokens: probeThoughtTokens + probeAnswerTokens, thoughtTokens: probeThoughtTokens, stopReason: 'eos' });
    expect(message.metrics!.thinkingMs).not.toBeNull();
    expect(message.metrics!.ttfaMs!).toBeGreaterThanOrEqual(message.metrics!.ttftMs!);
    const thoughtDeltas = t.events.filter((event) => event.name === 'chat.delta' && event.payload.messageId === message.id && event.payload.segment === 'thought');
    expect(thoughtDeltas.length).toBeGreaterThan(0);
  });

  it('asks the engine for the no-thinking form when thinking is off', async () => {
    const message = await reply({ thinking: false });
    expect(message).toMatchObject({ thought: '', content: probeAnswer, metrics: { thoughtTokens: 0 } });
  });
});
