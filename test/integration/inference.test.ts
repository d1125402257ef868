import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, defaultGenerationSettings, type GenerationSettings } from '../../src-main/api';
import { baseModelFormatName, generateReply, InferenceEngine, type Reply } from '../../src-main/inference';
import { stories260K, temporaryDir, tinyRandomLlama } from '../helpers/paths';

const greedy: GenerationSettings = { ...defaultGenerationSettings, temperature: 0, maxTokens: 64 };

describe('inference on stories260K (real node-llama-cpp)', () => {
  const engine = new InferenceEngine({ gpu: false });

  beforeAll(async () => {
    await engine.load(stories260K);
  });
  afterAll(() => engine.dispose());

  const ask = (content: string, settings: GenerationSettings = greedy, onDelta?: (delta: string) => void): Promise<Reply> =>
    engine.run((run, signal) => generateReply(run, { systemPrompt: '', turns: [{ role: 'user', content }], settings, onDelta }, signal), { kind: 'chat' });

  it('recognises a GGUF without a chat template as a base model and sets threads explicitly', () => {
    const status = engine.status();
    expect(status.state).toBe('ready');
    expect(status.model).toMatchObject({ name: 'stories260K.gguf', isBaseModel: true, chatTemplate: baseModelFormatName, gpu: false });
    expect(status.model!.threads).toBe(1);
    expect(status.model!.contextSize).toBe(2048);
  });

  it('continues "Once upon a time" greedily as the trained model does', async () => {
    const reply = await ask('Once upon a time');
    expect(reply.text.startsWith(', there was a little girl named Lily')).toBe(true);
  });

  it('streams deltas that add up to the reply, and measures it', async () => {
    const deltas: string[] = [];
    const reply = await ask('Once upon a time', greedy, (delta) => deltas.push(delta));
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.join('')).toBe(reply.text);
    const m = reply.metrics;
    expect(m.outputTokens).toBe(64);
    expect(m.stopReason).toBe('maxTokens');
    expect(m.promptTokens).toBeGreaterThan(0);
    expect(m.ttftMs).toBeGreaterThan(0);
    expect(m.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(m.totalMs).toBeGreaterThanOrEqual(m.ttftMs!);
    expect(m).toMatchObject({ model: 'stories260K.gguf', quantization: 'F32', threads: 1, settings: greedy });
  });

  it('counts output tokens from the tokens emitted: re-tokenizing the text gives the same count', async () => {
    const reply = await ask('Once upon a time', { ...greedy, maxTokens: 100 });
    const model = engine.loaded!.model;
    expect(model.tokenize(reply.text, false, 'trimLeadingSpace').length).toBe(reply.metrics.outputTokens);
  });

  it('stops promptly when aborted, keeping the text so far', async () => {
    let stopAskedAt = 0;
    let deltas = 0;
    const stop = new AbortController();
    const reply = await engine.run(
      (run, signal) =>
        generateReply(
          run,
          {
            systemPrompt: '',
            turns: [{ role: 'user', content: 'Once upon a time' }],
            settings: { ...greedy, maxTokens: 100_000 },
            onDelta: () => {
              if (++deltas === 5) {
                stopAskedAt = performance.now();
                stop.abort();
              }
            }
          },
          signal
        ),
      { kind: 'chat', signal: stop.signal }
    );
    const stoppedAfterMs = performance.now() - stopAskedAt;
    expect(reply.metrics.stopReason).toBe('abort');
    expect(reply.metrics.outputTokens).toBeLessThan(50);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(stoppedAfterMs).toBeLessThan(2000);
  });

  it('runs on one sequence at a time: a second run waits its turn, in order, without polling', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = engine.run(async () => {
      order.push('first starts');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first ends');
    }, { kind: 'chat' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = engine.run(async () => void order.push('second runs'), { kind: 'api' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(['first starts']);
    expect(engine.activeRuns).toBe(1);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second runs']);
  });

  it('drops a waiting run whose caller gave up: it rejects at once and never runs', async () => {
    let release!: () => void;
    const first = engine.run(() => new Promise<void>((resolve) => (release = resolve)), { kind: 'chat' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const leave = new AbortController();
    let ran = false;
    const waiting = engine.run(async () => void (ran = true), { kind: 'chat', signal: leave.signal });
    leave.abort();
    await expect(waiting).rejects.toBeDefined();
    release();
    await first;
    // The place it held in the queue was passed on: the next run starts at once.
    await engine.run(async () => undefined, { kind: 'chat' });
    expect(ran).toBe(false);
  });

  it('refuses to switch models while a run holds a sequence unless asked to wait, and refuses runs while a benchmark holds the engine', async () => {
    let release!: () => void;
    const running = engine.run(() => new Promise<void>((resolve) => (release = resolve)), { kind: 'chat' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(engine.load(tinyRandomLlama)).rejects.toMatchObject({ code: 'BUSY' });
    await expect(engine.hold('a benchmark', async () => undefined)).rejects.toMatchObject({ code: 'BUSY' });
    release();
    await running;
    let insideHold: unknown = null;
    await engine.hold('A benchmark of x is running.', async () => {
      insideHold = await engine.run(async () => undefined, { kind: 'chat' }).catch((error: unknown) => error);
      expect(engine.busyWith()).toBe('A benchmark of x is running.');
    });
    expect(insideHold).toMatchObject({ code: 'BUSY', message: 'A benchmark of x is running.' });
    // The model that was loaded before the hold is loaded again after it.
    expect(engine.status()).toMatchObject({ state: 'ready', model: { name: 'stories260K.gguf' } });
  });
});

describe('loading models', () => {
  it('treats the random-weight Llama 2 shape as a base model too, and reads its F16 quantization', async () => {
    const engine = new InferenceEngine({ gpu: false });
    try {
      await engine.load(tinyRandomLlama);
      expect(engine.status().model?.isBaseModel).toBe(true);
      expect(engine.loaded?.quantization).toBe('F16');
    } finally {
      await engine.dispose();
    }
  });

  it('rejects a text file renamed .gguf with a clear error and stays usable', async () => {
    const dir = temporaryDir();
    const fake = join(dir.path, 'notes.gguf');
    writeFileSync(fake, 'these are my notes, not a model\n');
    const engine = new InferenceEngine({ gpu: false });
    try {
      const failure = await engine.load(fake).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiError);
      expect(failure).toMatchObject({ code: 'MODEL_INVALID' });
      expect((failure as Error).message).toMatch(/Not a usable GGUF model file/);
      expect(engine.status()).toMatchObject({ state: 'error', model: null });
      await engine.load(stories260K);
      expect(engine.status().state).toBe('ready');
    } finally {
      await engine.dispose();
      dir.remove();
    }
  });

  it('says NO_MODEL when asked to generate with nothing loaded', async () => {
    const engine = new InferenceEngine({ gpu: false });
    await expect(engine.run(async () => undefined, { kind: 'chat' })).rejects.toMatchObject({ code: 'NO_MODEL' });
  });
});
