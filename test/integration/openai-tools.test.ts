import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeToolAnswer, probeToolCall, toolProbeFile, toolProbeIn } from '../fixtures/probes';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';

const model = toolProbeFile;
const weather: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }
};
const question: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];

/**
 * Tool calling through the official openai client, on a Qwen3-shaped probe whose template is Qwen3's own
 * (node-llama-cpp's Qwen wrapper, its native call syntax): call → tool message → final answer.
 */
describe('tools on /v1 (Qwen3-shaped tool probe, official openai client)', () => {
  const dir = temporaryDir();
  let server: ServerProcess;
  let client: OpenAI;
  beforeAll(async () => {
    ({ server, client } = await startApiProcess(dir.path, [stories260K], [], (modelsDir) => toolProbeIn(modelsDir)));
  });
  afterAll(async () => {
    await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  /** The conversation after the model's calls, with a result for each. */
  const withResults = (calls: OpenAI.ChatCompletionMessageToolCall[]): OpenAI.ChatCompletionMessageParam[] => [
    ...question,
    { role: 'assistant', content: null, tool_calls: calls },
    ...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: JSON.stringify({ sky: 'sunny', celsius: 21 }) }))
  ];

  it('calls the tool, then answers from its result (whole)', async () => {
    const first = await client.chat.completions.create({ model, messages: question, tools: [weather], temperature: 0 });
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ type: 'function', function: { name: probeToolCall.name } });
    expect(calls[0].id).toMatch(/^call_\w+$/);
    expect(JSON.parse(calls[0].function.arguments)).toEqual(probeToolCall.arguments);

    const second = await client.chat.completions.create({ model, messages: withResults(calls), tools: [weather], temperature: 0 });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: probeToolAnswer } });
    expect(second.choices[0].message.tool_calls ?? []).toEqual([]);
  });

  it('streams the call as tool_calls deltas, then the answer', async () => {
    const stream = await client.chat.completions.create({ model, messages: question, tools: [weather], temperature: 0, stream: true });
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    let finish: string | null = null;
    let content = '';
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      content += choice?.delta?.content ?? '';
      for (const delta of choice?.delta?.tool_calls ?? []) {
        calls[delta.index] ??= { arguments: '' };
        if (delta.id) calls[delta.index].id = delta.id;
        if (delta.function?.name) calls[delta.index].name = delta.function.name;
        calls[delta.index].arguments += delta.function?.arguments ?? '';
      }
      finish = choice?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(content).toBe('');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: expect.stringMatching(/^call_/), name: probeToolCall.name });
    expect(JSON.parse(calls[0].arguments)).toEqual(probeToolCall.arguments);

    const answer = await client.chat.completions.create({
      model,
      messages: withResults([{ id: calls[0].id!, type: 'function', function: { name: calls[0].name!, arguments: calls[0].arguments } }]),
      tools: [weather],
      temperature: 0,
      stream: true
    });
    let text = '';
    for await (const chunk of answer) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(probeToolAnswer);
  });

  it('honours tool_choice: none offers no tools, required and a named function force a call', async () => {
    const none = await client.chat.completions.create({ model, messages: question, tools: [weather], tool_choice: 'none', temperature: 0, max_tokens: 40 });
    expect(none.choices[0].finish_reason).not.toBe('tool_calls');
    expect(none.choices[0].message.tool_calls ?? []).toEqual([]);
    // After the result the probe would answer; forced, it calls again.
    const first = await client.chat.completions.create({ model, messages: question, tools: [weather], temperature: 0 });
    const results = withResults(first.choices[0].message.tool_calls!);
    for (const tool_choice of ['required', { type: 'function', function: { name: 'get_weather' } }] as const) {
      const forced = await client.chat.completions.create({ model, messages: results, tools: [weather], tool_choice, temperature: 0 });
      expect(forced.choices[0].finish_reason).toBe('tool_calls');
      expect((forced.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[])[0].function.name).toBe('get_weather');
    }
  });

  it('refuses with a 400 what it cannot do, saying why', async () => {
    const refused = (request: Record<string, unknown>) =>
      client.chat.completions.create({ model, messages: question, temperature: 0, ...request } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).then(
        () => null,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>
      );
    expect(await refused({ model: 'stories260K.gguf', tools: [weather] })).toMatchObject({ status: 400, message: expect.stringMatching(/no chat template to call them with/) });
    expect(await refused({ tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]+$' } } } } }] })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/tool "lookup" use what Hearth cannot enforce: pattern \(at \/properties\/id\)/)
    });
    expect(await refused({ tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } })).toMatchObject({ status: 400, message: expect.stringMatching(/not among the tools/) });
    expect(await refused({ tools: [weather], logprobs: true })).toMatchObject({ status: 400, message: expect.stringMatching(/with log probabilities/) });
    expect(
      await refused({ messages: [...question, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }], tools: [weather] })
    ).toMatchObject({ status: 400, message: expect.stringMatching(/call_1 has no tool message with its result/) });
    expect(await refused({ messages: [...question, { role: 'tool', tool_call_id: 'call_9', content: 'x' }], tools: [weather] })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/must answer a tool call/)
    });
  });
});
