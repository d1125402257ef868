import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killed, startApiProcess, type ServerProcess } from '../helpers/server-process';
import { stories260K, temporaryDir } from '../helpers/paths';

const model = 'stories260K.gguf';
const startApi = (dir: string, extra: string[] = []) => startApiProcess(dir, [stories260K], extra);

const rssOf = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) * 1024;

describe('the OpenAI-compatible API with 4 slots and a queue of 8, through the official openai client', () => {
  const dir = temporaryDir();
  let server: ServerProcess;
  let client: OpenAI;
  let baseURL: string;
  beforeAll(async () => {
    ({ server, baseURL, client } = await startApi(dir.path, ['--api-slots', '4', '--api-queue', '8']));
  });
  afterAll(async () => {
    await killed(server.child, 'SIGTERM');
    dir.remove();
  });

  it('lists the installed models', async () => {
    const models = await client.models.list();
    expect(models.data.map((entry) => entry.id)).toContain(model);
  });

  it('answers a chat completion with usage equal to the tokens produced, honouring max_tokens', async () => {
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 20 });
    const choice = completion.choices[0];
    expect(choice.message.content!.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(choice.finish_reason).toBe('length');
    expect(completion.usage).toMatchObject({ completion_tokens: 20 });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + 20);
  });

  it('streams the same text as OpenAI chunks ending with [DONE], with usage when asked', async () => {
    const whole = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 24 });
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Once upon a time' }],
      temperature: 0,
      max_tokens: 24,
      stream: true,
      stream_options: { include_usage: true }
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0].message.content);
    expect(finish).toBe('length');
    expect(usage).toMatchObject({ completion_tokens: 24 });

    const raw = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Once' }], max_tokens: 3, stream: true })
    });
    expect(raw.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect((await raw.text()).trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('honours stop sequences and seeds', async () => {
    const stopped = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 40, stop: ['Lily'] });
    expect(stopped.choices[0].message.content).toBe(', there was a little girl named ');
    expect(stopped.choices[0].finish_reason).toBe('stop');
    const ask = (seed: number) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 1, seed, max_tokens: 30 });
    expect((await ask(5)).choices[0].message.content).toBe((await ask(5)).choices[0].message.content);
  });

  it('continues a plain prompt on /v1/completions, 16 tokens unless told otherwise', async () => {
    const completion = await client.completions.create({ model, prompt: 'Once upon a time', temperature: 0 });
    expect(completion.choices[0].text.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(completion.usage).toMatchObject({ completion_tokens: 16 });
  });

  it('gives embeddings', async () => {
    const embeddings = await client.embeddings.create({ model, input: ['Once upon a time', 'a dog'] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0].embedding.length).toBeGreaterThan(0);
    expect(embeddings.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers bad input with OpenAI error JSON and the right status, and keeps serving', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${baseURL}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const cases: [string, string, number, RegExp][] = [
      ['/chat/completions', '{"model": "stories260K.gguf", "messages": [', 400, /not valid JSON/],
      ['/chat/completions', JSON.stringify({ model, messages: 'hello' }), 400, /messages/],
      ['/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: -5 }), 400, /max_tokens/],
      ['/chat/completions', JSON.stringify({ model: 'no-such-model.gguf', messages: [{ role: 'user', content: 'hi' }] }), 404, /not installed/],
      ['/chat/completions', JSON.stringify({ model: '../../etc/passwd', messages: [{ role: 'user', content: 'hi' }] }), 404, /not installed/],
      ['/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], n: 2 }), 400, /n=1/],
      ['/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'word '.repeat(1_000_000) }] }), 413, /larger than/],
      ['/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'word '.repeat(300_000) }] }), 400, /context holds/],
      ['/nothing-here', '{}', 404, /Unknown endpoint/]
    ];
    for (const [path, body, status, message] of cases) {
      const response = await post(path, body);
      const json = (await response.json()) as { error: { message: string; type: string } };
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(json.error.message).toMatch(message);
      expect(typeof json.error.type).toBe('string');
    }
    const next = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 5 });
    expect(next.usage!.completion_tokens).toBe(5);
  });

  it('refuses a cross-origin browser request that is not allow-listed', async () => {
    const response = await fetch(`${baseURL}/models`, { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers only to loopback host names on loopback (a DNS-rebinding page is refused)', async () => {
    const { request } = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${baseURL}/models`, { headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.example:1234')).toBe(421);
    expect(await status(`localhost:${new URL(baseURL).port}`)).toBe(200);
  });

  it('stops a generation when its client disconnects, freeing the model for the next request at once', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 4000, stream: true },
      { signal: controller.signal }
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) break;
    }
    controller.abort();
    const startedAt = performance.now();
    const next = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 5 });
    expect(next.usage!.completion_tokens).toBe(5);
    expect(performance.now() - startedAt).toBeLessThan(3000);
  });

  it('serves several requests at once on its slots: all four are streaming before any has finished', async () => {
    const started: number[] = [];
    const events: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (index) => {
        const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Once upon a time ${index}` }], max_tokens: 200, stream: true });
        let first = true;
        for await (const chunk of stream) {
          if (first && chunk.choices[0]?.delta?.content) {
            first = false;
            started.push(index);
            events.push(`start ${index}`);
          }
        }
        events.push(`end ${index}`);
      })
    );
    expect(started.sort()).toEqual([0, 1, 2, 3]);
    expect(events.slice(0, 4).every((event) => event.startsWith('start'))).toBe(true);
  });

  it('under 50 concurrent requests, each completes or gets a clean 429 with Retry-After, none hangs, and memory settles', async () => {
    const before = rssOf(server.child.pid!);
    const deadline = AbortSignal.timeout(60_000);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16 }),
          signal: deadline
        });
        const body = (await response.json()) as { usage?: { completion_tokens: number }; error?: { type: string } };
        if (response.status === 429) expect({ retryAfter: response.headers.get('retry-after'), type: body.error?.type }).toEqual({ retryAfter: '2', type: 'rate_limit_error' });
        else expect(body.usage?.completion_tokens).toBeGreaterThan(0);
        return response.status;
      })
    );
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
    const after = rssOf(server.child.pid!);
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('the OpenAI API off loopback and with a key', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('refuses to start on a non-loopback address without a key', async () => {
    const failure = await startApi(dir.path, ['--api-host', '0.0.0.0']).catch((error: Error) => error);
    expect((failure as Error).message).toMatch(/Refusing to serve the OpenAI API on 0\.0\.0\.0 without an API key/);
  });

  it('requires the key as a Bearer token when one is set, and lets allow-listed origins in', async () => {
    const { server, baseURL } = await startApi(dir.path, ['--api-key', 'sekrit-key-123', '--api-origins', 'http://localhost:5173']);
    try {
      const wrong = new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 });
      await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
      const right = new OpenAI({ baseURL, apiKey: 'sekrit-key-123', maxRetries: 0 });
      expect((await right.models.list()).data.length).toBeGreaterThan(0);
      const allowed = await fetch(`${baseURL}/models`, { headers: { Origin: 'http://localhost:5173', Authorization: 'Bearer sekrit-key-123' } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const preflight = await fetch(`${baseURL}/chat/completions`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173' } });
      expect(preflight.status).toBe(204);
      // The official SDKs send headers of their own; an allowed origin's preflight allows what it asks for.
      const asked = 'authorization, content-type, x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-retry-count';
      const sdkPreflight = await fetch(`${baseURL}/chat/completions`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': asked }
      });
      expect(sdkPreflight.headers.get('access-control-allow-headers')).toBe(asked);
      const refused = await fetch(`${baseURL}/chat/completions`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Headers': asked } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-headers')).toBeNull();
    } finally {
      await killed(server.child, 'SIGTERM');
    }
  });
});
