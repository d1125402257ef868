import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message, ReplyRecord, TokenizeResult } from '../../src-main/api';
import { stories260K, temporaryDir } from '../helpers/paths';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';
import { storiesStopCases } from '../fixtures/stops';

const model = 'stories260K.gguf';
const story = [{ role: 'user' as const, content: 'Once upon a time' }];
/** stories260K's greedy continuation of "Once upon a time". */
const greedyStart = ', there was a little girl named Lily';

/** The text a streamed chat completion adds up to, and each chunk as sent. */
async function streamed(baseURL: string, body: object): Promise<{ text: string; chunks: Record<string, unknown>[] }> {
  const response = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const chunks = (await response.text())
    .split('\n\n')
    .map((block) => block.replace(/^data: /, ''))
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Record<string, unknown>);
  const text = chunks.map((chunk) => (chunk.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '').join('');
  return { text, chunks };
}

/**
 * /v1 against what clients bring, case by case (stories260K, no parallel slots): the official openai
 * client where it can say it, raw HTTP where the client would hide the shape.
 */
describe('the OpenAI API with clients nobody here wrote', () => {
  const dir = temporaryDir();
  let server: ServerProcess;
  let baseURL: string;
  let client: OpenAI;
  beforeAll(async () => {
    ({ server, baseURL, client } = await startApiProcess(dir.path, [stories260K]));
  });
  afterAll(async () => {
    await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  const post = (path: string, body: unknown) => fetch(`${baseURL}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('stops exactly before a stop string that spans tokens, holds a space, or starts inside a token; streamed equals whole', async () => {
    for (const [stop, before] of storiesStopCases) {
      const whole = await client.chat.completions.create({ model, messages: story, temperature: 0, max_tokens: 40, stop: [stop] });
      expect(whole.choices[0]).toMatchObject({ message: { content: before }, finish_reason: 'stop' });
      expect((await streamed(baseURL, { model, messages: story, temperature: 0, max_tokens: 40, stop: [stop] })).text).toBe(before);
      const completion = await client.completions.create({ model, prompt: 'Once upon a time', temperature: 0, max_tokens: 40, stop });
      expect(completion.choices[0].text).toBe(before);
    }
    // " little girls" begins like the reply, then parts from it: the tail held back while it could match is released.
    const parting = { model, messages: story, temperature: 0, max_tokens: 12, stop: [' little girls'] };
    const whole = await client.chat.completions.create(parting);
    expect(whole.choices[0].message.content!.startsWith(`${greedyStart}`)).toBe(true);
    expect((await streamed(baseURL, parting)).text).toBe(whole.choices[0].message.content);
  });

  it('takes null as the default for every field OpenAI marks nullable', async () => {
    const nulls = {
      temperature: null,
      top_p: null,
      n: null,
      max_tokens: null,
      max_completion_tokens: null,
      presence_penalty: null,
      frequency_penalty: null,
      seed: null,
      stop: null,
      stream: null,
      stream_options: null,
      reasoning_effort: null,
      chat_template_kwargs: null
    };
    const chat = await post('/chat/completions', { model, messages: story, ...nulls, max_tokens: 4 });
    expect(chat.status).toBe(200);
    const completion = await post('/completions', { model, prompt: 'Once upon a time', ...nulls, reasoning_effort: undefined, chat_template_kwargs: undefined });
    expect(completion.status).toBe(200);
    expect(((await completion.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(16);
    const embedding = await post('/embeddings', { model, input: 'hi', encoding_format: null, dimensions: null });
    expect(embedding.status).toBe(200);
  });

  it('refuses a history longer than the context with context_length_exceeded and the sizes, instead of cutting it', async () => {
    const messages = Array.from({ length: 80 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `Turn ${index}: ${'the little dog ran to the park '.repeat(8)}` }));
    const response = await post('/chat/completions', { model, messages, max_tokens: 16 });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toMatch(/messages take \d+ tokens and the reply needs room for 16 more, but the model's context holds 2048/);
  });

  it('gives unit-length embeddings, as floats or base64, of text or token ids; an empty input is refused', async () => {
    const floats = await client.embeddings.create({ model, input: ['Once upon a time', 'a dog'], encoding_format: 'float' });
    for (const { embedding } of floats.data) expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    const base64 = await post('/embeddings', { model, input: 'Once upon a time', encoding_format: 'base64' });
    const encoded = ((await base64.json()) as { data: { embedding: string }[] }).data[0].embedding;
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)];
    expect(decoded.length).toBe(floats.data[0].embedding.length);
    decoded.forEach((value, index) => expect(value).toBeCloseTo(floats.data[0].embedding[index], 6));

    const { tokens } = await server.call<TokenizeResult>('inspect.tokenize', { text: 'Once upon a time' });
    const ids = tokens.map((token) => token.id);
    const byIds = await client.embeddings.create({ model, input: ids, encoding_format: 'float' });
    const byIdLists = await client.embeddings.create({ model, input: [ids, ids.slice(0, 2)], encoding_format: 'float' });
    expect(byIds.data).toHaveLength(1);
    expect(byIdLists.data).toHaveLength(2);
    expect(byIds.usage.prompt_tokens).toBe(ids.length);

    for (const [body, message] of [
      [{ model, input: '' }, /cannot be empty/],
      [{ model, input: ['fine', ''] }, /cannot be empty/],
      [{ model, input: [] }, /input/],
      [{ model, input: [999_999] }, /Token id 999999 is not in the model's vocabulary/],
      [{ model, input: 'hi', dimensions: 64 }, /dimensions cannot be chosen/]
    ] as const) {
      const response = await post('/embeddings', body);
      expect({ status: response.status, message: ((await response.json()) as { error: { message: string } }).error.message }).toMatchObject({ status: 400, message: expect.stringMatching(message) });
    }
  });

  it('continues a prompt given as token ids, as it continues the same text', async () => {
    const { tokens } = await server.call<TokenizeResult>('inspect.tokenize', { text: 'Once upon a time' });
    const ids = tokens.map((token) => token.id);
    const fromText = await client.completions.create({ model, prompt: 'Once upon a time', temperature: 0, max_tokens: 12 });
    const fromIds = await client.completions.create({ model, prompt: ids, temperature: 0, max_tokens: 12 });
    const fromIdList = await client.completions.create({ model, prompt: [ids], temperature: 0, max_tokens: 12 });
    expect(fromIds.choices[0].text).toBe(fromText.choices[0].text);
    expect(fromIdList.choices[0].text).toBe(fromText.choices[0].text);
    expect(fromIds.usage!.prompt_tokens).toBe(ids.length);
  });

  it('answers GET /v1/models/{id} and HEAD on every GET route', async () => {
    expect(await client.models.retrieve(model)).toEqual({ id: model, object: 'model', created: 0, owned_by: 'hearth' });
    await expect(client.models.retrieve('no-such-model.gguf')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    for (const path of ['/models', `/models/${model}`]) {
      const head = await fetch(`${baseURL}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/application\/json/);
      expect(await head.text()).toBe('');
    }
    expect((await fetch(`${baseURL}/models/nothing.gguf`, { method: 'HEAD' })).status).toBe(404);
  });

  it('takes a conversation of only a system message', async () => {
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'system', content: 'Once upon a time' }], temperature: 0, max_tokens: 8 });
    expect(completion.choices[0].message.content!.length).toBeGreaterThan(0);
  });

  it('with include_usage, gives usage null on every chunk but the last, which holds the figures', async () => {
    const { chunks } = await streamed(baseURL, { model, messages: story, temperature: 0, max_tokens: 6, stream_options: { include_usage: true } });
    expect(chunks.slice(0, -1).every((chunk) => 'usage' in chunk && chunk.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
    const plain = await streamed(baseURL, { model, messages: story, max_tokens: 3 });
    expect(plain.chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('says a model takes no images when a message carries one', async () => {
    const response = await post('/chat/completions', {
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }]
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/takes no images/);
  });

  it('queues a burst instead of refusing it', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => post('/completions', { model, prompt: 'Once upon a time', max_tokens: 8 }).then((response) => response.status)));
    expect(burst).toEqual(Array(12).fill(200));
  });

  it('drops a client that leaves while queued behind a chat reply: its generation never runs, and the chat goes on', async () => {
    // A chat reply holds the model; a completion waits behind it, and its client leaves.
    const conversation = await server.call<Conversation>('conversations.create', { model, settings: { maxTokens: 1500, stopAtEos: false, temperature: 0 } });
    await server.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    const before = new Set((await server.call<ReplyRecord[]>('dashboard.replies', {})).map((record) => record.messageId));
    const leaving = new AbortController();
    const waiting = fetch(`${baseURL}/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: 2000 }), signal: leaving.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    leaving.abort();
    await waiting.catch(() => undefined);
    const ended = async () => {
      await server.call('chat.stop', { conversationId: conversation.id });
      for (let waited = 0; waited < 10_000; waited += 50) {
        const { messages } = await server.call<{ messages: Message[] }>('conversations.get', { id: conversation.id });
        if (messages.every((message) => message.status !== 'streaming')) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the chat reply never ended');
    };
    await ended();

    // The next chat reply runs at once, and only the two chat replies were measured.
    const again = await server.call<{ assistantMessage: Message }>('chat.send', { conversationId: conversation.id, content: 'The end' }).catch((error: Error) => error);
    expect(again).not.toBeInstanceOf(Error);
    await ended();
    const measured = (await server.call<ReplyRecord[]>('dashboard.replies', {})).filter((record) => !before.has(record.messageId));
    expect(measured.map((record) => record.conversationId)).toEqual([conversation.id, conversation.id]);
  });

  it('follows a JSON schema by grammar: the reply parses and validates, whole and streamed; json_object gives JSON', async () => {
    const schema = {
      type: 'object',
      properties: { mood: { enum: ['happy', 'sad'] }, ok: { type: 'boolean' }, name: { type: 'string', maxLength: 12 }, tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 2 } },
      required: ['mood', 'ok', 'name', 'tags'],
      additionalProperties: false
    };
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'story', strict: true, schema } };
    for (const temperature of [0, 0.9]) {
      const whole = await client.chat.completions.create({ model, messages: story, temperature, seed: 3, max_tokens: 200, response_format });
      const parsed = JSON.parse(whole.choices[0].message.content!) as { mood: string; ok: boolean; name: string; tags: string[] };
      expect(Object.keys(parsed).sort()).toEqual(['mood', 'name', 'ok', 'tags']);
      expect(['happy', 'sad']).toContain(parsed.mood);
      expect(typeof parsed.ok).toBe('boolean');
      expect(parsed.name.length).toBeLessThanOrEqual(12);
      expect(parsed.tags.length).toBeLessThanOrEqual(2);
      expect(whole.choices[0].finish_reason).toBe('stop');
      expect((await streamed(baseURL, { model, messages: story, temperature, seed: 3, max_tokens: 200, response_format })).text).toBe(whole.choices[0].message.content);
    }
    const object = await client.chat.completions.create({ model, messages: story, temperature: 0, max_tokens: 30, response_format: { type: 'json_object' } });
    expect(object.choices[0].message.content!.trimStart().startsWith('{')).toBe(true);
  });

  it('refuses a schema it cannot enforce, naming each keyword and where it is', async () => {
    const schema = { type: 'object', properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' }, age: { type: 'integer', minimum: 0 }, contact: { allOf: [{ type: 'string' }] } } };
    const response = await post('/chat/completions', { model, messages: story, response_format: { type: 'json_schema', json_schema: { name: 'form', schema } } });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; param: string } };
    expect(error.message).toMatch(/pattern \(at \/properties\/zip\)/);
    expect(error.message).toMatch(/minimum \(at \/properties\/age\)/);
    expect(error.message).toMatch(/allOf \(at \/properties\/contact\)/);
    expect(error.param).toBe('response_format.json_schema.schema');
  });

  it('gives log probabilities on chat completions, whole and streamed: every value ≤ 0, alternatives most likely first', async () => {
    const plain = await client.chat.completions.create({ model, messages: story, temperature: 0, max_tokens: 12 });
    const whole = await client.chat.completions.create({ model, messages: story, temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3 });
    // Greedy with log probabilities picks what greedy without them picks.
    expect(whole.choices[0].message.content).toBe(plain.choices[0].message.content);
    const content = whole.choices[0].logprobs!.content!;
    expect(content).toHaveLength(12);
    expect(content.map((entry) => entry.token).join('')).toBe(whole.choices[0].message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]).toMatchObject({ token: entry.token, logprob: entry.logprob });
      const values = entry.top_logprobs.map((alternative) => alternative.logprob);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(values.every((value) => value <= 0)).toBe(true);
    }
    const { chunks } = await streamed(baseURL, { model, messages: story, temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3 });
    const streamedEntries = chunks.flatMap((chunk) => (chunk.choices as { logprobs?: { content: unknown[] } | null }[])[0]?.logprobs?.content ?? []);
    expect(streamedEntries).toEqual(content);
    const withoutLogprobs = await client.chat.completions.create({ model, messages: story, max_tokens: 2 });
    expect(withoutLogprobs.choices[0].logprobs).toBeNull();
    const refused = await post('/chat/completions', { model, messages: story, top_logprobs: 2 });
    expect(refused.status).toBe(400);
  });

  it('gives the legacy completions log probabilities: tokens, their log probabilities, alternatives and offsets', async () => {
    const completion = await client.completions.create({ model, prompt: 'Once upon a time', temperature: 0, max_tokens: 8, logprobs: 2 });
    const { text, logprobs } = completion.choices[0];
    expect(logprobs!.tokens!.join('')).toBe(text);
    expect(logprobs!.token_logprobs!.every((value) => value <= 0)).toBe(true);
    expect(logprobs!.top_logprobs!.every((alternatives) => Object.keys(alternatives).length === 2)).toBe(true);
    expect(logprobs!.text_offset![0]).toBe(0);
    expect(logprobs!.text_offset!.at(-1)).toBe(text.length - logprobs!.tokens!.at(-1)!.length);
  });
});
